"""The instructions register as rows for the auditors' exports (CSV, XLSX, ODS, JSON, PDF)."""

from collections.abc import Iterator
from datetime import datetime

from rgpd_app.exports import Column
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.instructions import rules
from rgpd_app.instructions.access import ORDER, instructions_query
from rgpd_app.instructions.models import ATTACHMENT, Instruction

COLUMNS = [
    Column("reference", "Référence"),
    Column("organisation", "Collectivité"),
    Column("subject", "Objet"),
    Column("processings", "Traitements concernés"),
    Column("text", "Texte de l'instruction"),
    Column("effective_on", "Prise d'effet"),
    Column("state", "État"),
    Column("given_by", "Donnée par"),
    Column("given_at", "Enregistrée le"),
    Column("acknowledged_at", "Reçue le"),
    Column("flagged_at", "Signalée le"),
    Column("flag_reason", "Motif du signalement"),
    Column("confirmed_at", "Confirmée le"),
    Column("confirmed_by", "Confirmée par"),
    Column("withdrawn_at", "Retirée le"),
    Column("cnil_referred_on", "Saisine de la CNIL"),
    Column("applied_at", "Appliquée le"),
    Column("supersedes", "Remplace"),
    Column("superseded_by", "Remplacée par"),
    Column("attachments", "Pièces jointes (SHA-256)"),
]


def as_row(item: Instruction) -> dict:
    replaced_by = item.superseded_by
    return {
        "reference": item.reference,
        "organisation": item.organisation.name,
        "subject": item.subject,
        "processings": [a.name for a in item.activities],
        "text": item.text,
        "effective_on": item.effective_on,
        "state": rules.STATE_LABELS[item.state],
        "given_by": item.given_by_name,
        "given_at": item.given_at,
        "acknowledged_at": item.acknowledged_at,
        "flagged_at": item.flagged_at,
        "flag_reason": item.flag_reason,
        "confirmed_at": item.confirmed_at,
        "confirmed_by": item.confirmed_by_name,
        "withdrawn_at": item.withdrawn_at,
        "cnil_referred_on": item.cnil_referred_on,
        "applied_at": item.applied_at,
        "supersedes": item.supersedes.reference if item.supersedes else "",
        "superseded_by": replaced_by.reference if replaced_by else "",
        "attachments": [
            f"{a.original_filename} ({a.sha256})" for a in item.attachments if a.kind == ATTACHMENT
        ],
    }


def export_rows(*, actor: Actor, filters: dict | None = None) -> Iterator[dict]:
    """Every instruction the actor may read, as export rows (loaded in batches). The rights are
    checked here, before the streamed response starts: a refusal is a 403, not a cut body."""
    stmt = instructions_query(actor, filters).order_by(*ORDER)

    def rows() -> Iterator[dict]:
        # Runs while the answer streams, on that moment's session (the view's is closed).
        for item in db.session.scalars(stmt.execution_options(yield_per=200)):
            yield as_row(item)

    return rows()


def journal_export(*, actor: Actor, now: datetime, fmt: str, count: int) -> None:
    record(
        "instructions.exported",
        now=now,
        actor=actor,
        object_type="instruction",
        details={"format": fmt, "rows": count},
    )
    db.session.commit()
