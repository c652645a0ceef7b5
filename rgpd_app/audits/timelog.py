"""Billable time of the processor's staff on an audit, and its billing statement (art. 4.6)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from rgpd_app import timesheets
from rgpd_app.audits import rules
from rgpd_app.audits.access import get_audit
from rgpd_app.audits.models import AuditRequest, AuditTimeEntry
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor


def log_time(audit_id: int, data: dict, *, actor: Actor, now: datetime) -> AuditTimeEntry:
    item = get_audit(audit_id, actor=actor, roles=rules.TIME_LOGGERS)
    entry = timesheets.add_entry(AuditTimeEntry, data, actor=actor, now=now, audit_id=item.id)
    item.journal("time_logged", now=now, actor=actor, entry_id=entry.id, minutes=entry.minutes)
    db.session.commit()
    return entry


def entries(item: AuditRequest) -> list[AuditTimeEntry]:
    stmt = select(AuditTimeEntry).where(AuditTimeEntry.audit_id == item.id)
    return list(db.session.scalars(stmt.order_by(AuditTimeEntry.worked_on, AuditTimeEntry.id)))


@dataclass(frozen=True)
class Statement:
    audit: AuditRequest
    rows: list[dict]
    total_minutes: int


def billing_statement(audit_id: int, *, actor: Actor, now: datetime, fmt: str = "") -> Statement:
    """Every time entry of the audit with the total; each export is journaled."""
    item = get_audit(audit_id, actor=actor, roles=rules.BILLING_READERS)
    found = entries(item)
    rows = [
        timesheets.billing_row(e)
        | {"worked_on": e.worked_on.isoformat(), "hours": rules.hours_text(e.minutes)}
        for e in found
    ]
    total = sum(e.minutes for e in found)
    item.journal(
        "billing_exported", now=now, actor=actor, format=fmt, rows=len(rows), total_minutes=total
    )
    db.session.commit()
    return Statement(item, rows, total)
