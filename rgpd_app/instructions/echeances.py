"""Instructions in "Mes échéances": the day each one the processor must carry out takes effect."""

from datetime import datetime

from flask import url_for
from flask_babel import gettext
from sqlalchemy import select

from deadlines import format_day_fr
from deadlines.periods import end_of_day_utc
from rgpd_app.clocks.services import Echeance, Task
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope
from rgpd_app.instructions import rules
from rgpd_app.instructions.models import Instruction

_TO_CARRY_OUT = (rules.GIVEN, rules.ACKNOWLEDGED, rules.CONFIRMED)


def instruction_echeances(actor: Actor, now: datetime) -> list[Echeance]:
    """For the processor's DPO: instructions not yet applied, due on their effective day."""
    if not (actor.is_processor_staff and actor.has(roles.PROCESSOR_DPO)):
        return []
    stmt = select(Instruction).where(Instruction.state.in_(_TO_CARRY_OUT))
    items = []
    for item in db.session.scalars(stmt.order_by(Instruction.id)):
        if item.superseded_by is not None:
            continue
        items.append(
            Echeance(
                uid=f"instruction-{item.id}-effective",
                kind="instruction-effective",
                title=f"Instruction {item.reference} : prise d'effet — {item.subject[:80]}",
                organisation_name=item.organisation.name,
                due_at=end_of_day_utc(item.effective_on),
                deadline=item.effective_on,
                steps=(
                    f"Prise d'effet fixée par la collectivité au "
                    f"{format_day_fr(item.effective_on)}.",
                    f"État : {rules.STATE_LABELS[item.state]}.",
                ),
                url=url_for("instructions.detail", instruction_id=item.id),
                organisation_id=item.organisation_id,
            )
        )
    return items


def instruction_tasks(actor: Actor, now: datetime) -> list[Task]:
    """The processor's DPO acknowledges each instruction given; the municipality's givers
    confirm or withdraw the ones the processor suspended as apparently unlawful."""
    is_handler = actor.is_processor_staff and actor.has(*rules.HANDLERS)
    is_giver = not actor.is_processor_staff and actor.has(*rules.GIVERS)
    if not (is_handler or is_giver):
        return []
    wanted = rules.GIVEN if is_handler else rules.SUSPENDED
    stmt = scope(select(Instruction), Instruction.organisation_id, actor)
    stmt = stmt.where(Instruction.state == wanted).order_by(Instruction.id)
    action = (
        gettext("À accuser réception") if is_handler else gettext("Confirmer par écrit ou retirer")
    )
    return [
        Task(
            uid=f"instruction-{item.id}-{wanted}",
            domain="subprocessing",
            title=f"Instruction {item.reference} : {item.subject[:80]}",
            organisation_name=item.organisation.name,
            since=item.updated_at or item.given_at,
            url=url_for("instructions.detail", instruction_id=item.id),
            organisation_id=item.organisation_id,
            action=action,
        )
        for item in db.session.scalars(stmt)
        if item.superseded_by is None
    ]
