"""What an actor may do and which municipalities they see — in one place."""

from sqlalchemy import Select, select

from rgpd_app.errors import Forbidden, NotFound
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor


def require(actor: Actor, *roles: str) -> None:
    """403 unless the actor holds one of `roles`."""
    if not actor.has(*roles):
        raise Forbidden()


def visible_controller_ids(actor: Actor) -> frozenset[int] | None:
    """None when the actor sees every municipality (processor staff), else the ids it may see."""
    if actor.is_processor_staff:
        return None
    if actor.has(roles.AUDITOR):
        return actor.auditor_controller_ids
    if actor.has(*roles.CONTROLLER_ROLES):
        return frozenset({actor.organisation_id})
    return frozenset()


def scope(stmt: Select, column, actor: Actor) -> Select:
    """Restrict a query on a controller-owned table to what the actor may see."""
    return scope_to(stmt, column, visible_controller_ids(actor))


def scope_to(stmt: Select, column, ids: frozenset[int] | None) -> Select:
    """Restrict a query to the municipalities `ids` (visible_controller_ids; None: all)."""
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
