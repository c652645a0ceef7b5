"""The billing statement of an audit's time, through the shared exports module."""

from rgpd_app import clock
from rgpd_app.audits import timelog
from rgpd_app.audits.rules import hours_text
from rgpd_app.errors import ValidationFailed
from rgpd_app.exports import Column, export_response
from rgpd_app.foundation.actor import Actor
from rgpd_app.messages import N_

FORMATS = ("csv", "pdf")
COLUMNS = [
    Column("worked_on", "Date"),
    Column("person", "Intervenant"),
    Column("description", "Description"),
    Column("minutes", "Minutes"),
    Column("hours", "Durée"),
]


def billing_response(audit_id: int, actor: Actor, fmt: str):
    """CSV or PDF statement of the time spent by the processor's staff (annex art. 4.6)."""
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [N_("Format attendu : csv ou pdf.")]})
    statement = timelog.billing_statement(audit_id, actor=actor, now=clock.now(), fmt=fmt)
    item = statement.audit
    total = {
        "worked_on": "Total",
        "person": "",
        "description": "",
        "minutes": statement.total_minutes,
        "hours": hours_text(statement.total_minutes),
    }
    return export_response(
        fmt,
        rows=[*statement.rows, total],
        columns=COLUMNS,
        filename=f"audit-{item.reference}-temps-passe",
        title=f"Relevé du temps passé — audit {item.reference} — {item.organisation.name}",
    )
