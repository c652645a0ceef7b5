"""Which written instruction is in force for each processing of the register."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from deadlines import PARIS
from rgpd_app import clock
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import require, scope
from rgpd_app.instructions import rules
from rgpd_app.instructions.models import Instruction, instruction_processing
from rgpd_app.paging import Page, paginate
from rgpd_app.register.models import ProcessingActivity


def _facts(item: Instruction) -> rules.Facts:
    return rules.Facts(item.id, item.state, item.effective_on, item.supersedes_id)


def instruction_in_force(activity_id: int, *, now: datetime | None = None) -> Instruction | None:
    """The instruction in force for a processing at `now` (default: the clock), or None.

    No tenancy check: callers load the activity through their own scoped query first.
    """
    today: date = (now or clock.now()).astimezone(PARIS).date()
    linked_ids = select(instruction_processing.c.instruction_id).where(
        instruction_processing.c.activity_id == activity_id
    )
    linked = list(db.session.scalars(select(Instruction).where(Instruction.id.in_(linked_ids))))
    if not linked:
        return None
    successors = db.session.scalars(
        select(Instruction).where(Instruction.supersedes_id.in_([i.id for i in linked]))
    )
    found = rules.in_force(map(_facts, linked), map(_facts, successors), today)
    return next((i for i in linked if found and i.id == found.id), None)


@dataclass(frozen=True)
class InForce:
    activity: ProcessingActivity
    instruction: Instruction | None


def in_force_listing(
    *, actor: Actor, now: datetime, filters: dict | None = None, page: int = 1, per_page: int = 25
) -> Page:
    """A page of the visible processings, each with the instruction in force (journaled)."""
    require(actor, *rules.READERS)
    filters = filters or {}
    stmt = scope(
        select(ProcessingActivity).where(ProcessingActivity.archived_at.is_(None)),
        ProcessingActivity.controller_id,
        actor,
    )
    if filters.get("organisation_id"):
        stmt = stmt.where(ProcessingActivity.controller_id == filters["organisation_id"])
    found = paginate(
        stmt,
        page=page,
        per_page=per_page,
        order_by=(ProcessingActivity.controller_id, ProcessingActivity.name, ProcessingActivity.id),
    )
    rows = [InForce(a, instruction_in_force(a.id, now=now)) for a in found.items]
    record(
        "instructions.in_force_read",
        now=now,
        actor=actor,
        object_type="instruction",
        details={"page": page, "activities": [a.id for a in found.items]},
    )
    db.session.commit()
    return Page(rows, found.total, found.page, found.per_page)
