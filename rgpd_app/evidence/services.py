"""The evidence use cases, used by the CLI, the web pages, the API and the worker alike."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from deadlines import PARIS
from rgpd_app.errors import ValidationFailed
from rgpd_app.evidence import pack
from rgpd_app.evidence.contents import Scope
from rgpd_app.evidence.verify import verify_pack
from rgpd_app.extensions import db
from rgpd_app.foundation import signing
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation

MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def period_of(start: date | None, end: date | None, *, now: datetime) -> Period:
    """The period asked for; by default the twelve months up to today (Paris)."""
    today = now.astimezone(PARIS).date()
    end = end or today
    start = start or end - timedelta(days=365)
    errors = {}
    if end > today:
        errors["to"] = [N_("La fin de la période ne peut pas être dans le futur.")]
    if start > end:
        errors["from"] = [N_("Le début de la période doit précéder sa fin.")]
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors["from"] = [N_("Une période de %(days)s jours au plus.", days=MAX_PERIOD_DAYS)]
    if errors:
        raise ValidationFailed(errors)
    return Period(start, end)


def controller_by_siren(siren: str) -> Organisation:
    org = db.session.scalar(
        select(Organisation).where(Organisation.siren == siren.replace(" ", ""))
    )
    if org is None or org.kind == "processor":
        raise ValidationFailed(
            {"controller": [N_("Aucune collectivité de SIREN %(siren)s.", siren=siren)]}
        )
    return org


def build_pack(
    controller: Organisation,
    period: Period,
    path: Path,
    *,
    password: str,
    actor: Actor | None,
    now: datetime,
    progress=lambda done, total: None,
) -> pack.Built:
    """Build the pack into `path` and journal it (who, which controller, period, SHA-256)."""
    built = pack.build_file(
        Scope(controller, period.start, period.end),
        path,
        password=password,
        now=now,
        progress=progress,
    )
    journal_built(controller, period, built.manifest, actor=actor, now=now, sha256=built.sha256)
    db.session.commit()
    return built


def journal_built(controller, period: Period, manifest: dict, *, actor, now, sha256=""):
    """Who built which controller's pack for which period, with which key (and its SHA-256
    when known here; the worker's export journal holds it otherwise)."""
    record(
        "evidence.built",
        now=now,
        actor=actor,
        organisation_id=controller.id,
        object_type="evidence_pack",
        object_id=manifest["key_id"],
        details={
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "sha256": sha256,
            "key_id": manifest["key_id"],
            "files": len(manifest["files"]) + 2,
        },
    )


def published_keys(now: datetime) -> list[signing.PublicKey]:
    return signing.published(now)


def verify(path: Path, password: str, *, now: datetime, keys=None) -> list[str]:
    return verify_pack(path, password, keys if keys is not None else published_keys(now))


def keys_document(now: datetime) -> dict:
    """/.well-known/rgpd-evidence-keys.json: every public key ever used to sign a pack."""
    keys = published_keys(now)
    return {
        "issuer": current_app.config.get("MAIL_FROM", ""),
        "format": "rgpd-evidence-keys/1",
        "keys": [k.as_dict() for k in keys],
    }
