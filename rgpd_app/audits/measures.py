"""The corrective plan: measures with an owner, a due day and a status; reminders and alerts."""

from datetime import date, datetime

from sqlalchemy import select

from audit import AuditState
from deadlines import format_day_fr
from rgpd_app.audits import notify, rules
from rgpd_app.audits.access import AuditRefused, clocks_for, get_audit, paris_day
from rgpd_app.audits.models import DONE, OPEN, AuditRequest, CorrectiveMeasure
from rgpd_app.errors import NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.messages import N_


def _plan(audit_id: int, actor: Actor) -> AuditRequest:
    item = get_audit(audit_id, actor=actor, roles=rules.PLAN_KEEPERS)
    if item.state != AuditState.CORRECTIVE_PLAN:
        raise AuditRefused(
            N_("Les mesures correctives se gèrent une fois le plan de mesures correctives ouvert."),
            code="no_corrective_plan",
        )
    return item


def add_measure(audit_id: int, data: dict, *, actor: Actor, now: datetime) -> CorrectiveMeasure:
    """A measure of the plan; without a due day, the 3-month corrective deadline."""
    item = _plan(audit_id, actor)
    deadline = clocks_for(item).corrective
    due_on: date = data.get("due_on") or deadline.deadline
    errors = {}
    if due_on < paris_day(now):
        errors["due_on"] = [N_("L'échéance (%(day)s) est déjà passée.", day=format_day_fr(due_on))]
    if errors:
        raise ValidationFailed(errors)
    measure = CorrectiveMeasure(
        audit=item,
        description=data["description"].strip(),
        owner=data["owner"].strip(),
        due_on=due_on,
        status=OPEN,
        created_at=now,
    )
    db.session.add(measure)
    db.session.flush()
    item.journal("measure_added", now=now, actor=actor, measure_id=measure.id, due_on=due_on)
    late = due_on > deadline.deadline
    lines = [
        f"Mesure : {measure.description}",
        f"Responsable : {measure.owner}",
        f"Échéance : {format_day_fr(due_on)}.",
    ]
    if late:
        lines.append(
            "Attention : cette échéance dépasse le délai de 3 mois du contrat "
            f"({format_day_fr(deadline.deadline)})."
        )
    notify.tell(
        item,
        notify.BOTH,
        title="Nouvelle mesure corrective",
        lines=lines,
        now=now,
        event=f"measure-{measure.id}",
    )
    db.session.commit()
    return measure


def set_measure_status(
    audit_id: int, measure_id: int, status: str, *, actor: Actor, now: datetime
) -> CorrectiveMeasure:
    item = _plan(audit_id, actor)
    measure = db.session.get(CorrectiveMeasure, measure_id)
    if measure is None or measure.audit_id != item.id:
        raise NotFound()
    if status not in (OPEN, DONE):
        raise ValidationFailed({"status": [N_("Statut attendu : open ou done.")]})
    if measure.status != status:
        measure.status = status
        measure.done_at = now if status == DONE else None
        item.journal("measure_status", now=now, actor=actor, measure_id=measure.id, status=status)
        if status == DONE:
            notify.tell(
                item,
                notify.BOTH,
                title="Mesure corrective réalisée",
                now=now,
                lines=[f"Mesure réalisée : {measure.description}"],
                event=f"measure-{measure.id}-done",
            )
    db.session.commit()
    return measure


def send_measure_reminders(now: datetime) -> dict[str, int]:
    """Worker: a reminder 7 days before each due day and an alert once overdue, each once."""
    today = paris_day(now)
    stmt = (
        select(CorrectiveMeasure)
        .join(AuditRequest, AuditRequest.id == CorrectiveMeasure.audit_id)
        .where(
            AuditRequest.state == AuditState.CORRECTIVE_PLAN,
            CorrectiveMeasure.status == OPEN,
        )
        .order_by(CorrectiveMeasure.id)
    )
    counts = {"reminders": 0, "overdue": 0}
    for measure in db.session.scalars(stmt):
        item = measure.audit
        if rules.is_overdue(measure.due_on, today) and measure.overdue_alert_sent_at is None:
            measure.overdue_alert_sent_at = now
            counts["overdue"] += 1
            notify.tell(
                item,
                notify.BOTH,
                title="Mesure corrective en retard",
                now=now,
                event=f"measure-{measure.id}-overdue",
                lines=[
                    f"Mesure : {measure.description} (responsable : {measure.owner})",
                    f"Elle devait être réalisée le {format_day_fr(measure.due_on)}.",
                ],
            )
            item.journal("measure_overdue", now=now, actor=None, measure_id=measure.id)
        elif (
            rules.reminder_due(measure.due_on, today)
            and measure.reminder_sent_at is None
            and measure.overdue_alert_sent_at is None
        ):
            measure.reminder_sent_at = now
            counts["reminders"] += 1
            notify.tell(
                item,
                notify.BOTH,
                title="Rappel : mesure corrective à échéance",
                now=now,
                event=f"measure-{measure.id}-reminder",
                lines=[
                    f"Mesure : {measure.description} (responsable : {measure.owner})",
                    f"À réaliser au plus tard le {format_day_fr(measure.due_on)}.",
                ],
            )
            item.journal("measure_reminder", now=now, actor=None, measure_id=measure.id)
    db.session.commit()
    return counts
