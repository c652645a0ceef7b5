"""The audit clocks in "Mes échéances" and the iCalendar feed, for the side that must act."""

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from audit import AuditState
from audit.states import STATE_LABELS
from deadlines import format_day_fr
from deadlines.periods import end_of_day_utc
from rgpd_app.audits.access import clocks_for
from rgpd_app.audits.models import OPEN, AuditAuditor, AuditRequest
from rgpd_app.clocks.services import Echeance, Task, echeance_from_deadline
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope

_LIVE = (
    AuditState.REQUESTED,
    AuditState.ACCEPTED,
    AuditState.REPORT_RECEIVED,
    AuditState.CORRECTIVE_PLAN,
)

_AUDITOR_LIVE = (
    AuditState.REQUESTED,
    AuditState.ACCEPTED,
    AuditState.IN_PROGRESS,
    AuditState.REPORT_RECEIVED,
    AuditState.OBSERVATIONS_SENT,
)


def audit_echeances(actor: Actor, now: datetime) -> list[Echeance]:
    """Refusal and observations deadlines (processor's DPO); starts and corrective due days
    (both sides: the processor's DPO and the municipality's DPO)."""
    is_processor = actor.is_processor_staff and actor.has(roles.PROCESSOR_DPO)
    if not (is_processor or actor.has(roles.CONTROLLER_DPO)):
        return []
    stmt = scope(select(AuditRequest), AuditRequest.organisation_id, actor)
    stmt = stmt.where(AuditRequest.state.in_(_LIVE)).order_by(AuditRequest.id)
    items: list[Echeance] = []
    for item in db.session.scalars(stmt):
        url = url_for("audits.detail", audit_id=item.id)
        org, ref = item.organisation, item.reference
        clocks = clocks_for(item)
        common = {"organisation_name": org.name, "url": url, "organisation_id": org.id}
        if item.state == AuditState.REQUESTED and is_processor:
            items.append(
                echeance_from_deadline(
                    clocks.refusal,
                    uid=f"audit-{item.id}-refusal",
                    kind="audit-refusal",
                    title=f"Audit {ref} : fin du délai pour refuser l'auditeur",
                    **common,
                )
            )
        elif item.state == AuditState.REPORT_RECEIVED and is_processor:
            items.append(
                echeance_from_deadline(
                    clocks.observations,
                    uid=f"audit-{item.id}-observations",
                    kind="audit-observations",
                    title=f"Audit {ref} : observations sur le rapport",
                    **common,
                )
            )
        elif item.state == AuditState.ACCEPTED:
            items.append(
                Echeance(
                    uid=f"audit-{item.id}-start",
                    kind="audit-start",
                    title=f"Audit {ref} : début de l'audit",
                    due_at=end_of_day_utc(item.start_on),
                    deadline=item.start_on,
                    steps=(f"Début annoncé dans le préavis : {format_day_fr(item.start_on)}.",),
                    **common,
                )
            )
        elif item.state == AuditState.CORRECTIVE_PLAN:
            for measure in item.measures:
                if measure.status != OPEN:
                    continue
                items.append(
                    Echeance(
                        uid=f"audit-{item.id}-measure-{measure.id}",
                        kind="audit-measure",
                        title=f"Audit {ref} : mesure corrective — {measure.description[:80]}",
                        due_at=end_of_day_utc(measure.due_on),
                        deadline=measure.due_on,
                        steps=(
                            f"Responsable : {measure.owner}.",
                            f"Échéance fixée au {format_day_fr(measure.due_on)} ; le délai du "
                            f"contrat expire le {format_day_fr(clocks.corrective.deadline)}.",
                        ),
                        **common,
                    )
                )
    return items


def audit_tasks(actor: Actor, now: datetime) -> list[Task]:
    """For an auditor: each running audit they are named on, with what it waits for."""
    if not actor.has(roles.AUDITOR):
        return []
    mine = select(AuditAuditor.audit_id).where(AuditAuditor.user_id == actor.id)
    stmt = scope(select(AuditRequest), AuditRequest.organisation_id, actor)
    stmt = stmt.where(AuditRequest.id.in_(mine), AuditRequest.state.in_(_AUDITOR_LIVE))
    return [
        Task(
            uid=f"audit-{item.id}-auditor",
            domain="audits",
            title=f"Audit {item.reference} : {item.organisation.name}",
            organisation_name=item.organisation.name,
            since=item.created_at,
            url=url_for("audits.detail", audit_id=item.id),
            organisation_id=item.organisation_id,
            action="Audit " + STATE_LABELS[AuditState(item.state)],
        )
        for item in db.session.scalars(stmt.order_by(AuditRequest.id))
    ]
