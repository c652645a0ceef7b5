"""Who sees which deposit and intervention; lists, details and downloads, all journaled."""

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from rgpd_app.deposits import rules, storage
from rgpd_app.deposits.models import Deposit, Intervention
from rgpd_app.errors import Conflict, Forbidden
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require, scope
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import Page, contains, ordering, paginate


def max_days() -> int:
    return current_app.config["DEPOSIT_MAX_DAYS"]


SORTS = {
    "number": Deposit.id,
    "organisation": Organisation.name,
    "direction": Deposit.direction,
    "file": Deposit.original_filename,
    "date": Deposit.created_at,
    "state": Deposit.state,
}
DEFAULT_SORT = "-number"


def list_deposits(
    *, actor: Actor, now: datetime, filters: dict, page: int = 1, per_page: int = 25
) -> Page:
    """Deposits the actor may see, newest first; `overdue` keeps those held too long."""
    require(actor, *rules.READERS)
    stmt = scope(select(Deposit), Deposit.organisation_id, actor)
    for name in ("direction", "state", "organisation_id", "intervention_id"):
        if filters.get(name):
            stmt = stmt.where(getattr(Deposit, name) == filters[name])
    if filters.get("overdue"):
        limit = now - timedelta(days=max_days())
        stmt = stmt.where(Deposit.state.in_(rules.HELD), Deposit.created_at < limit)
    if filters.get("q"):
        stmt = stmt.where(contains(Deposit.original_filename, filters["q"]))
    order = ordering(filters.get("sort") or DEFAULT_SORT, SORTS, DEFAULT_SORT, Deposit.id)
    if filters.get("sort", "").lstrip("-") == "organisation":
        stmt = stmt.outerjoin(Organisation, Organisation.id == Deposit.organisation_id)
    result = paginate(stmt, page=page, per_page=per_page, order_by=order)
    record(
        "deposit.list",
        now=now,
        actor=actor,
        details={k: v for k, v in filters.items() if v} | {"page": page},
    )
    db.session.commit()
    return result


def get_deposit(deposit_id: int, *, actor: Actor, now: datetime, log: bool = True) -> Deposit:
    require(actor, *rules.READERS)
    deposit = get_visible(Deposit, deposit_id, actor)
    if log:
        deposit.journal("deposit.read", now=now, actor=actor)
        db.session.commit()
    return deposit


def open_download(deposit_id: int, *, actor: Actor, now: datetime) -> tuple[Path, str]:
    """(path, download name) of the stored archive; the download is journaled."""
    require(actor, *rules.READERS)
    deposit = get_visible(Deposit, deposit_id, actor)
    require(actor, *rules.DOWNLOADERS)
    if deposit.state == rules.QUARANTINED and not actor.has(*rules.QUARANTINE_READERS):
        raise Forbidden(N_("Un fichier en quarantaine n'est remis qu'au responsable sécurité."))
    path = storage.path_of(deposit)
    if deposit.state == rules.DESTROYED or not path.exists():
        raise Conflict(N_("Ce dépôt a été détruit : le fichier n'existe plus."), code="destroyed")
    deposit.journal("deposit.downloaded", now=now, actor=actor, sha256=deposit.sha256)
    db.session.commit()
    return path, f"depot-{deposit.id}.zip"


def is_overdue(deposit: Deposit, now: datetime) -> bool:
    return rules.is_overdue(deposit.state, deposit.created_at, now, max_days())


def list_interventions(
    *, actor: Actor, now: datetime, filters: dict, page: int = 1, per_page: int = 25
) -> Page:
    require(actor, *rules.READERS)
    stmt = scope(select(Intervention), Intervention.organisation_id, actor)
    if filters.get("organisation_id"):
        stmt = stmt.where(Intervention.organisation_id == filters["organisation_id"])
    state = filters.get("state")
    if state == "open":
        stmt = stmt.where(Intervention.closed_at.is_(None))
    elif state == "closed":
        stmt = stmt.where(Intervention.closed_at.is_not(None), Intervention.validated_at.is_(None))
    elif state == "validated":
        stmt = stmt.where(Intervention.validated_at.is_not(None))
    return paginate(stmt, page=page, per_page=per_page, order_by=[Intervention.id.desc()])


def get_intervention(intervention_id: int, *, actor: Actor) -> Intervention:
    require(actor, *rules.READERS)
    return get_visible(Intervention, intervention_id, actor)


def open_interventions(organisation_id: int | None, *, actor: Actor) -> list[Intervention]:
    """Open interventions the actor may attach a file to (for a form's choices)."""
    stmt = scope(select(Intervention), Intervention.organisation_id, actor).where(
        Intervention.closed_at.is_(None)
    )
    if organisation_id:
        stmt = stmt.where(Intervention.organisation_id == organisation_id)
    return list(db.session.scalars(stmt.order_by(Intervention.reference)))


def certificate_file(intervention_id: int, *, actor: Actor, now: datetime) -> tuple[Path, str]:
    item = get_intervention(intervention_id, actor=actor)
    if not item.certificate_name:
        raise Conflict(N_("Le certificat de destruction n'est pas encore établi."), code="pending")
    record(
        "intervention.certificate_downloaded",
        now=now,
        actor=actor,
        organisation_id=item.organisation_id,
        object_type="intervention",
        object_id=item.id,
    )
    db.session.commit()
    return storage.certificate_path(item.certificate_name), f"certificat-{item.id}.pdf"
