"""Who is acting, what they may do and which municipalities they see — in one place."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import Select, select

from deadlines import PARIS
from rgpd_app.accounts import rules
from rgpd_app.errors import Forbidden, NotFound
from rgpd_app.extensions import db


@dataclass(frozen=True)
class Actor:
    """A user with the roles they hold at `now`, plus where the request came from."""

    user: object
    roles: frozenset[str]
    auditor_controller_ids: frozenset[int] = field(default_factory=frozenset)
    ip: str = ""
    user_agent: str = ""

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def organisation_id(self) -> int:
        return self.user.organisation_id

    @property
    def is_processor_staff(self) -> bool:
        return bool(self.roles & set(rules.PROCESSOR_ROLES)) and self.user.organisation.is_processor

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def active_roles(user, now: datetime) -> tuple[frozenset[str], frozenset[int]]:
    """Roles held at `now` (an auditor's grant ends by itself) and the auditor's controllers."""
    today = now.astimezone(PARIS).date()  # grant dates are French calendar days
    roles, audited = set(), set()
    for grant in user.grants:
        if grant.revoked_at is not None:
            continue
        if grant.valid_from_on and today < grant.valid_from_on:
            continue
        if grant.valid_until_on and today > grant.valid_until_on:
            continue
        roles.add(grant.role)
        if grant.role == rules.AUDITOR and grant.controller_id:
            audited.add(grant.controller_id)
    return frozenset(roles), frozenset(audited)


def actor_for(user, now: datetime) -> Actor:
    roles, audited = active_roles(user, now)
    ip = ua = ""
    if has_request_context():
        ip = request.remote_addr or ""
        ua = (request.user_agent.string or "")[:300]
    return Actor(user=user, roles=roles, auditor_controller_ids=audited, ip=ip, user_agent=ua)


def require(actor: Actor, *roles: str) -> None:
    """403 unless the actor holds one of `roles`."""
    if not actor.has(*roles):
        raise Forbidden()


def visible_controller_ids(actor: Actor) -> frozenset[int] | None:
    """None when the actor sees every municipality (processor staff), else the ids it may see."""
    if actor.is_processor_staff:
        return None
    if actor.has(rules.AUDITOR):
        return actor.auditor_controller_ids
    if actor.has(*rules.CONTROLLER_ROLES):
        return frozenset({actor.organisation_id})
    return frozenset()


def scope(stmt: Select, column, actor: Actor) -> Select:
    """Restrict a query on a controller-owned table to what the actor may see."""
    ids = visible_controller_ids(actor)
    if ids is None:
        return stmt
    return stmt.where(column.in_(ids))


def get_visible(model, object_id, actor: Actor, column=None):
    """The object if it exists and belongs to a municipality the actor sees; 404 otherwise."""
    column = column if column is not None else model.organisation_id
    stmt = scope(select(model).where(model.id == object_id), column, actor)
    obj = db.session.execute(stmt).scalar_one_or_none()
    if obj is None:
        raise NotFound()
    return obj
