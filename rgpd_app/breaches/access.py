"""Who may do what with breaches, and which notices each actor sees."""

from sqlalchemy import Select, select

from rgpd_app.breaches.models import Breach, BreachNotice
from rgpd_app.errors import Forbidden, NotFound
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import require, scope
from rgpd_app.messages import N_

RECORDERS = (roles.SECURITY_OFFICER, roles.PROCESSOR_DPO)
DECIDERS = (roles.CONTROLLER_DPO,)
READERS = (*RECORDERS, roles.CONTROLLER_DPO, roles.INSTRUCTOR, roles.AUDITOR)
# Who may record each step of a notice; checked before the input is even read.
STEP_ROLES = {
    "record": RECORDERS,
    "acknowledgement": (*RECORDERS, roles.CONTROLLER_DPO),
    "letter": RECORDERS,
    "decision": DECIDERS,
    "cnil": DECIDERS,
}


def require_step(actor: Actor, step: str) -> None:
    """403 before validation: a refused role learns nothing from its input's errors."""
    require(actor, *STEP_ROLES[step])
    if STEP_ROLES[step] == RECORDERS and not actor.is_processor_staff:
        raise Forbidden()


def require_recorder(actor: Actor) -> None:
    """Security officer or processor DPO, on the processor's side (403 otherwise)."""
    require(actor, *RECORDERS)
    if not actor.is_processor_staff:
        raise Forbidden()


def is_recorder(actor: Actor) -> bool:
    return actor.has(*RECORDERS) and actor.is_processor_staff


def notices_stmt(actor: Actor) -> Select:
    """Notices the actor may read: all for the processor's recorders; for a municipality's
    users, those of their municipality once confirmed (a draft is internal to the processor)."""
    require(actor, *READERS)
    stmt = select(BreachNotice)
    if is_recorder(actor):
        return stmt
    stmt = stmt.where(BreachNotice.confirmed_at.is_not(None))
    return scope(stmt, BreachNotice.organisation_id, actor)


def get_notice(notice_id: int, actor: Actor) -> BreachNotice:
    notice = db.session.scalar(notices_stmt(actor).where(BreachNotice.id == notice_id))
    if notice is None:
        raise NotFound(N_("Notification de violation introuvable."))
    return notice


def get_breach(breach_id: int, actor: Actor) -> Breach:
    """A breach for the processor's recorders (every municipality's users: 403)."""
    require_recorder(actor)
    breach = db.session.get(Breach, breach_id)
    if breach is None:
        raise NotFound(N_("Violation introuvable."))
    return breach
