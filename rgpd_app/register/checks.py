"""Checking an entry before it is written: the schema, then the register rules with the
configured prohibited categories and the country lists, every error at once."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from rgpd_app.errors import ValidationFailed
from rgpd_app.register import countries, rules
from rgpd_app.register.access import EDITORS
from rgpd_app.register.entries import merged, snapshot
from rgpd_app.register.models import ProcessingActivity
from rgpd_app.register.schemas import load_processing
from rgpd_app.tenancy import Actor, get_visible, require

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


def check_entry(entry: dict, *, now: datetime) -> None:
    """Refuse (nothing written) every inconsistency of the entry at once."""
    errors = entry_errors(entry, now=now)
    if errors:
        raise ValidationFailed(errors)
