"""The time spent helping with a request, as a billing statement (annex art. 4.3)."""

from datetime import datetime

from rgpd_app.exports import Column
from rgpd_app.exports.response import check_format
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.requests import rules
from rgpd_app.requests.access import get_request
from rgpd_app.requests.assistance import billing_rows

READERS = (*rules.IDENTITY_READERS,)  # the two DPOs: the processor bills, the municipality pays
COLUMNS = [
    Column("worked_on", "Date"),
    Column("person", "Intervenant"),
    Column("description", "Travail effectué"),
    Column("minutes", "Minutes"),
]


def statement(request_id: int, *, actor: Actor, now: datetime, fmt: str = ""):
    """The request and its time entries; each export is journaled (an unknown format is
    refused before it is)."""
    item = get_request(request_id, actor=actor, roles=READERS)
    fmt = check_format(fmt)
    rows = billing_rows(item)
    item.journal(
        "billing_exported",
        now=now,
        actor=actor,
        format=fmt,
        rows=len(rows),
        total_minutes=sum(r["minutes"] for r in rows),
    )
    db.session.commit()
    return item, rows
