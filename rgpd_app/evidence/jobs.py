"""Evidence packs as a kind of long export: asked on the web or the API, built by the worker
(with its progress page, its SHA-256 and its download journaled, as any long export)."""

from datetime import date, datetime

from sqlalchemy import func, select

from encryption import generate_password
from rgpd_app import clock
from rgpd_app.errors import ValidationFailed
from rgpd_app.evidence import pack
from rgpd_app.evidence.contents import Scope
from rgpd_app.evidence.services import Period, journal_built, period_of
from rgpd_app.exports.jobs import services as jobs
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation

KIND = "evidence"
BUILDERS = (roles.CONTROLLER_DPO, roles.PROCESSOR_DPO)


def _controller(params: dict, actor: Actor) -> Organisation:
    raw = params.get("controller_id")
    if raw is None and not actor.is_processor_staff:
        raw = actor.organisation_id
    if not isinstance(raw, int) or raw >= 2**63:
        raise ValidationFailed({"controller_id": [N_("Choisissez la collectivité.")]})
    org = get_visible(Organisation, raw, actor, column=Organisation.id)
    if org.kind == "processor":
        raise ValidationFailed({"controller_id": [N_("Choisissez une collectivité.")]})
    return org


def _period(params: dict, now: datetime) -> Period:
    try:
        start = date.fromisoformat(params["from"]) if params.get("from") else None
        end = date.fromisoformat(params["to"]) if params.get("to") else None
    except (TypeError, ValueError):
        raise ValidationFailed({"from": [N_("Dates attendues au format AAAA-MM-JJ.")]}) from None
    return period_of(start, end, now=now)


def _journal_rows(org: Organisation, period: Period) -> int:
    from rgpd_app.foundation.journal import JournalEntry as E

    scope = Scope(org, period.start, period.end)
    return db.session.scalar(
        select(func.count()).select_from(E).where(
            E.organisation_id == org.id, E.at >= scope.begins_at, E.at < scope.ends_at
        )
    ) or 0  # fmt: skip


def _plan(fmt: str, params: dict, actor: Actor) -> jobs.Plan:
    org = _controller(params, actor)
    period = _period(params, clock.now())
    return jobs.Plan(
        title=f"Paquet de preuves — {org.name} — "
        f"du {period.start:%d/%m/%Y} au {period.end:%d/%m/%Y}",
        filename=f"preuves-{org.siren}-{period.start.isoformat()}-{period.end.isoformat()}",
        total=_journal_rows(org, period),
        organisation_id=org.id,
    )


def _write(fmt: str, params: dict, actor: Actor, out, progress, now: datetime) -> int:
    org = _controller(params, actor)
    period = _period(params, now)
    if not params.get("secret"):
        raise ValidationFailed(
            {"_form": [N_("Le mot de passe du paquet est perdu : relancez-le.")]}
        )
    manifest = pack.build(
        Scope(org, period.start, period.end),
        out,
        password=params["secret"],
        now=now,
        progress=lambda done, total: progress(done),
    )
    journal_built(org, period, manifest, actor=actor, now=now)
    return len(manifest["files"])


EXPORT = jobs.export_kind(roles=BUILDERS, plan=_plan, write=_write, formats=("zip",))


def request_pack(params: dict, *, actor: Actor, now: datetime):
    """Queue a pack; returns (the job, its password — to be shown once, never again)."""
    password = generate_password()
    clean = {k: params.get(k) for k in ("controller_id", "from", "to") if params.get(k)}
    job = jobs.request_export(KIND, "zip", clean, actor=actor, now=now, secret=password)
    return job, password
