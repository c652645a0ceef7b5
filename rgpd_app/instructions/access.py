"""Loading instructions within the actor's reach, and journaling each step."""

from datetime import datetime

from sqlalchemy import or_, select

from rgpd_app.errors import Conflict, DomainError, Forbidden
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible, require, scope
from rgpd_app.instructions import rules
from rgpd_app.instructions.models import Instruction, instruction_processing
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import Page, ordering, paginate


class InstructionRefused(DomainError):
    code = "instruction_refused"


def refuse_unless_allowed(item: Instruction, action: str) -> None:
    """409 with the rule's code when `action` is impossible in the instruction's state."""
    found = rules.refusal(action, item.state)
    if found is not None:
        raise Conflict(found.message, code=found.code)


def get_instruction(instruction_id: int, *, actor: Actor, roles=rules.READERS) -> Instruction:
    """403 for a role without access, 404 for an instruction of a municipality not visible."""
    require(actor, *roles)
    return get_visible(Instruction, instruction_id, actor)


def require_giver(actor: Actor) -> None:
    """Only the municipality's own instructor or DPO gives (or answers about) instructions."""
    require(actor, *rules.GIVERS)
    if actor.user.organisation.is_processor:
        raise Forbidden()


def require_handler(actor: Actor) -> None:
    require(actor, *rules.HANDLERS)
    if not actor.is_processor_staff:
        raise Forbidden()


def instructions_query(actor: Actor, filters: dict | None = None):
    """The instructions the actor may read, filtered by state, municipality, processing, text."""
    require(actor, *rules.READERS)
    filters = filters or {}
    stmt = scope(select(Instruction), Instruction.organisation_id, actor)
    if filters.get("state") in rules.STATE_LABELS:
        stmt = stmt.where(Instruction.state == filters["state"])
    if filters.get("organisation_id"):
        stmt = stmt.where(Instruction.organisation_id == filters["organisation_id"])
    if filters.get("activity_id"):
        linked = select(instruction_processing.c.instruction_id).where(
            instruction_processing.c.activity_id == filters["activity_id"]
        )
        stmt = stmt.where(Instruction.id.in_(linked))
    if filters.get("q"):
        pattern = f"%{filters['q'].strip()}%"
        stmt = stmt.where(or_(Instruction.subject.ilike(pattern), Instruction.text.ilike(pattern)))
    return stmt


ORDER = (Instruction.given_at.desc(), Instruction.id.desc())


SORTS = {
    "given": Instruction.given_at,
    "organisation": Organisation.name,
    "subject": Instruction.subject,
    "effective": Instruction.effective_on,
    "state": Instruction.state,
}
DEFAULT_SORT = "-given"


def list_instructions(
    *,
    actor: Actor,
    now: datetime,
    filters: dict | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    stmt = instructions_query(actor, filters).join(
        Organisation, Organisation.id == Instruction.organisation_id
    )
    order = ordering(sort, SORTS, DEFAULT_SORT, Instruction.id)
    return paginate(stmt, page=page, per_page=per_page, order_by=order)
