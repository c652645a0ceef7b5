"""Interventions: opened by the support, closed, then validated — which destroys their files
(locally at once, on the FTP server through the worker) and yields a destruction certificate."""

import hashlib
import uuid
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from rgpd_app.deposits import ftp, notify, rules, storage
from rgpd_app.deposits.access import max_days
from rgpd_app.deposits.models import Deposit, Intervention
from rgpd_app.deposits.receiving import target_of
from rgpd_app.errors import Conflict, DomainError, ValidationFailed
from rgpd_app.exports import render_pdf
from rgpd_app.extensions import db
from rgpd_app.files import private_folder, write_private
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.messages import N_


def open_intervention(data: dict, *, actor: Actor, now: datetime) -> Intervention:
    require(actor, *rules.HANDLERS)
    org, _ = target_of({"organisation_id": data.get("organisation_id")}, actor=actor)
    taken = select(Intervention.id).where(
        Intervention.organisation_id == org.id, Intervention.reference == data["reference"]
    )
    if db.session.scalar(taken) is not None:
        raise ValidationFailed(
            {"reference": [N_("Cette référence existe déjà pour la collectivité.")]}
        )
    item = Intervention(
        organisation=org,
        reference=data["reference"],
        purpose=data["purpose"],
        opened_at=now,
        opened_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    item.journal("intervention.opened", now=now, actor=actor, reference=item.reference)
    db.session.commit()
    return item


def _refuse(item: Intervention, action: str, actor: Actor) -> None:
    reason = rules.intervention_refusal(
        item.state, action, closer_id=item.closed_by_id, actor_id=actor.id
    )
    if reason:
        raise Conflict(reason, code=f"cannot_{action}")


def close_intervention(intervention_id: int, *, actor: Actor, now: datetime) -> Intervention:
    require(actor, *rules.READERS)
    item = get_visible(Intervention, intervention_id, actor)
    require(actor, *rules.CLOSERS)
    _refuse(item, "close", actor)
    item.closed_at, item.closed_by_id = now, actor.id
    item.journal("intervention.closed", now=now, actor=actor)
    db.session.commit()
    return item


def validate_intervention(intervention_id: int, *, actor: Actor, now: datetime) -> Intervention:
    """Validate the closure: every file of the intervention is destroyed (annex §1)."""
    require(actor, *rules.READERS)
    item = get_visible(Intervention, intervention_id, actor)
    require(actor, *rules.VALIDATORS)
    _refuse(item, "validate", actor)
    item.validated_at, item.validated_by_id = now, actor.id
    item.journal("intervention.validated", now=now, actor=actor)
    for deposit in item.deposits:
        if deposit.state != rules.DESTROYED:
            destroy(deposit, actor=actor, now=now)
    db.session.commit()
    finish_certificate(item, now=now)
    return item


def destroy_deposit(deposit_id: int, *, actor: Actor, now: datetime) -> Deposit:
    """Destroy one file now (a quarantined one, or one held too long)."""
    require(actor, *rules.READERS)
    deposit = get_visible(Deposit, deposit_id, actor)
    require(actor, *rules.HANDLERS)
    if deposit.state == rules.DESTROYED:
        raise Conflict(N_("Ce dépôt est déjà détruit."), code="destroyed")
    destroy(deposit, actor=actor, now=now)
    db.session.commit()
    return deposit


def destroy(deposit: Deposit, *, actor: Actor | None, now: datetime) -> None:
    """Delete the local file and record it; the FTP copy goes at the worker's next tick."""
    existed = storage.remove(storage.path_of(deposit))
    previous = deposit.state
    deposit.state, deposit.destroyed_at = rules.DESTROYED, now
    deposit.destroyed_by_id = actor.id if actor else None
    deposit.next_upload_at = None
    deposit.journal(
        "deposit.destroyed",
        now=now,
        actor=actor,
        previous_state=previous,
        local_file_deleted=existed,
        remote_pending=deposit.is_on_server,
    )


def delete_remote_copies(*, now: datetime) -> int | str:
    """Worker: delete from the FTP server what was destroyed or quarantined, then certify."""
    waiting = list(
        db.session.scalars(
            select(Deposit)
            .where(
                Deposit.state.in_((rules.DESTROYED, rules.QUARANTINED)),
                Deposit.remote_path.is_not(None),
                Deposit.remote_deleted_at.is_(None),
            )
            .order_by(Deposit.id)
        )
    )
    waiting = [d for d in waiting if d.is_on_server]
    deleted = 0
    if waiting:
        settings = ftp.FtpSettings.from_config(current_app.config)
        try:
            with ftp.session(settings) as conn:
                for deposit in waiting:
                    ftp.delete(conn, deposit.remote_path)
                    deposit.remote_deleted_at = now
                    deposit.journal("deposit.remote_deleted", now=now, actor=None)
                    db.session.commit()
                    deleted += 1
        except (ftp.FtpUnavailable, ftp.FtpMisconfigured):
            db.session.rollback()
            return "unavailable"
    for item in db.session.scalars(
        select(Intervention).where(
            Intervention.validated_at.is_not(None), Intervention.certificate_name.is_(None)
        )
    ):
        finish_certificate(item, now=now)
    return deleted


def finish_certificate(item: Intervention, *, now: datetime) -> bool:
    """Write the destruction certificate once no copy of any file is left anywhere."""
    if item.certificate_name or item.validated_at is None:
        return False
    if any(d.state != rules.DESTROYED or d.is_on_server for d in item.deposits):
        return False
    with force_locale("fr"):  # the worker has no request (nor user language): always French
        pdf = render_pdf(
            "deposits/certificate.html",
            item=item,
            deposits=item.deposits,
            issued_at=now,
            max_days=max_days(),
        )
    name = f"{item.id}-{uuid.uuid4().hex}.pdf"
    path = storage.certificate_path(name)
    private_folder(path.parent)
    write_private(path, pdf)
    item.certificate_name, item.certificate_at = name, now
    item.certificate_sha256 = hashlib.sha256(pdf).hexdigest()
    item.journal(
        "intervention.certificate_issued",
        now=now,
        actor=None,
        sha256=item.certificate_sha256,
        deposits=[d.id for d in item.deposits],
    )
    notify.announce_certificate(item, now=now)
    try:
        db.session.commit()
    except Exception:
        storage.remove(path)
        raise
    return True


def attach(deposit_id: int, intervention_id: int, *, actor: Actor, now: datetime) -> Deposit:
    """Attach a deposit received without an intervention to an open one of its municipality."""
    require(actor, *rules.READERS)
    deposit = get_visible(Deposit, deposit_id, actor)
    require(actor, *rules.HANDLERS)
    if deposit.organisation_id is None or deposit.state == rules.DESTROYED:
        raise DomainError(N_("Ce dépôt ne peut pas être rattaché."), code="cannot_attach")
    _, intervention = target_of(
        {"organisation_id": deposit.organisation_id, "intervention_id": intervention_id},
        actor=actor,
    )
    deposit.intervention = intervention
    deposit.journal("deposit.attached", now=now, actor=actor, intervention_id=intervention_id)
    db.session.commit()
    return deposit
