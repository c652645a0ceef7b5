"""Audit use cases (annex art. 4.6), the worker jobs and the "Mes échéances" provider.

The use cases live in one module per concept — submission (notice and rules), decisions (the
processor's answer, silence, auditor accounts), progress (report to closing), measures
(corrective plan), timelog (billable time); views, API and worker call them through here.
"""

from datetime import datetime

from sqlalchemy import select

from audit import AuditState
from rgpd_app.audits import decisions, measures, progress, submission, timelog
from rgpd_app.audits.access import AuditRefused, clocks_for, get_audit, list_audits
from rgpd_app.audits.models import AuditRequest
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor

__all__ = [
    "AuditRefused",
    "clocks_for",
    "decisions",
    "list_audits",
    "measures",
    "progress",
    "submission",
    "timelog",
]


def read_audit(audit_id: int, *, actor: Actor, now: datetime) -> AuditRequest:
    """One audit with its auditors (personal data): the read is journaled."""
    item = get_audit(audit_id, actor=actor)
    item.journal("read", now=now, actor=actor)
    db.session.commit()
    return item


def silent_acceptance(now: datetime) -> int:
    """Accept every pending audit whose refusal window has closed (idempotent: state moves)."""
    stmt = select(AuditRequest.id).where(AuditRequest.state == AuditState.REQUESTED)
    accepted = 0
    for audit_id in list(db.session.scalars(stmt.order_by(AuditRequest.id))):
        item = db.session.get(AuditRequest, audit_id)
        if decisions.accept_by_silence(item, now=now):
            accepted += 1
        db.session.commit()
    return accepted


def measure_reminders(now: datetime) -> dict[str, int]:
    return measures.send_measure_reminders(now)
