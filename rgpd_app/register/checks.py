"""Checking an entry before it is written: the schema, then the register rules with the
configured prohibited categories and the country lists, every error at once."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.register import countries, rules
from rgpd_app.register.access import EDITORS
from rgpd_app.register.entries import merged, snapshot
from rgpd_app.register.models import ProcessingActivity
from rgpd_app.register.schemas import load_processing

PARIS = ZoneInfo("Europe/Paris")


def validated(raw, *, actor: Actor, activity_id: int | None = None, now: datetime) -> dict:
    """The payload loaded by the schema; when it fails, the rules still judge the valid part
    so that the answer lists every error at once (rows with a format error are skipped).
    Roles and tenancy are checked first: a refused user learns nothing from the errors."""
    require(actor, *EDITORS)
    activity = None
    if activity_id is not None:
        activity = get_visible(
            ProcessingActivity, activity_id, actor, ProcessingActivity.controller_id
        )
    try:
        return load_processing(raw)
    except ValidationFailed as err:
        valid = getattr(err, "valid_data", {})
        entry = merged(snapshot(activity) if activity is not None else None, valid)
        bad_rows = {".".join(path.split(".")[:2]) for path in err.fields}
        for path, messages in entry_errors(entry, now=now).items():
            if ".".join(path.split(".")[:2]) not in bad_rows:
                err.fields.setdefault(path, []).extend(messages)
        raise


def entry_errors(entry: dict, *, now: datetime) -> dict:
    return rules.input_errors(
        entry,
        today=now.astimezone(PARIS).date(),
        prohibited=rules.parse_prohibited(current_app.config["PROHIBITED_CATEGORIES"]),
        eea=countries.eea(),
        adequacy=countries.adequacy(),
        countries=countries.names(),
    )


def instruction_errors(entry: dict) -> dict:
    """A purpose may only cite a written instruction of the same municipality (annex 1.2)."""
    cited = {p.get("instruction_id") for p in entry.get("purposes") or []} - {None}
    if not cited:
        return {}
    instruction = db.metadata.tables["instruction"]
    known = set(
        db.session.scalars(
            select(instruction.c.id).where(
                instruction.c.id.in_(cited),
                instruction.c.organisation_id == entry.get("controller_id"),
            )
        )
    )
    return {
        f"purposes.{index}.instruction_id": [
            f"Aucune instruction n° {purpose['instruction_id']} de cette collectivité."
        ]
        for index, purpose in enumerate(entry.get("purposes") or [])
        if purpose.get("instruction_id") not in (None, *known)
    }


def check_entry(entry: dict, *, now: datetime) -> None:
    """Refuse (nothing written) every inconsistency of the entry at once."""
    errors = entry_errors(entry, now=now) | instruction_errors(entry)
    if errors:
        raise ValidationFailed(errors)
