"""The acting user: the roles they hold at `now`, plus where the request came from."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import has_request_context, request

from deadlines import PARIS
from rgpd_app.foundation import roles


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
        return bool(self.roles & set(roles.PROCESSOR_ROLES)) and self.user.organisation.is_processor

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def active_roles(user, now: datetime) -> tuple[frozenset[str], frozenset[int]]:
    """Roles held at `now` (an auditor's grant ends by itself) and the auditor's controllers."""
    today = now.astimezone(PARIS).date()  # grant dates are French calendar days
    held, audited = set(), set()
    for grant in user.grants:
        if grant.revoked_at is not None:
            continue
        if grant.valid_from_on and today < grant.valid_from_on:
            continue
        if grant.valid_until_on and today > grant.valid_until_on:
            continue
        held.add(grant.role)
        if grant.role == roles.AUDITOR and grant.controller_id:
            audited.add(grant.controller_id)
    return frozenset(held), frozenset(audited)


def actor_for(user, now: datetime) -> Actor:
    roles, audited = active_roles(user, now)
    ip = ua = ""
    if has_request_context():
        ip = request.remote_addr or ""
        ua = (request.user_agent.string or "")[:300]
    return Actor(user=user, roles=roles, auditor_controller_ids=audited, ip=ip, user_agent=ua)
