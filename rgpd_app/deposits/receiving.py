"""Files received from municipalities: web uploads (refused at once unless AES-256) and the
FTP inbox polled by the worker (non-compliant files quarantined and reported)."""

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from encryption import DEFAULT_LIMITS, ArchiveError, inspect_archive
from rgpd_app.deposits import ftp, notify, rules, storage
from rgpd_app.deposits.models import Deposit, Intervention
from rgpd_app.deposits.storage import IncomingFile
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.files import file_digest
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, Organisation

log = logging.getLogger("rgpd_app.deposits")


def target_of(data: dict, *, actor: Actor) -> tuple[Organisation, Intervention | None]:
    """The municipality (a foreign one: 404) and the open intervention a file belongs to."""
    org_id = data.get("organisation_id")
    if org_id is None and not actor.is_processor_staff:
        org_id = actor.organisation_id
    if org_id is None:
        raise ValidationFailed({"organisation_id": [N_("Choisissez la collectivité.")]})
    org = get_visible(Organisation, org_id, actor, column=Organisation.id)
    if org.kind != CONTROLLER:
        raise ValidationFailed({"organisation_id": [N_("Choisissez une collectivité.")]})
    intervention = None
    if data.get("intervention_id"):
        intervention = get_visible(Intervention, data["intervention_id"], actor)
        if intervention.organisation_id != org.id:
            raise ValidationFailed(
                {"intervention_id": [N_("Cette intervention concerne une autre collectivité.")]}
            )
        if intervention.state != "open":
            raise ValidationFailed({"intervention_id": [N_("Cette intervention est close.")]})
    return org, intervention


def receive_upload(
    incoming: IncomingFile | None, data: dict, *, actor: Actor, now: datetime
) -> Deposit:
    """Keep an uploaded AES-256 archive; anything else is refused with its reason, not kept."""
    require(actor, *rules.UPLOADERS)
    try:
        org, intervention = target_of(data, actor=actor)
        if incoming is None:
            raise ValidationFailed({"file": [N_("Joignez l'archive zip chiffrée en AES-256.")]})
        sha256, size = file_digest(incoming.path)
        if size == 0:
            raise ValidationFailed({"file": [N_("Le fichier est vide.")]})
        try:
            entries = inspect_archive(incoming.path, DEFAULT_LIMITS)
        except ArchiveError as error:
            _journal_refusal(error, org, incoming, sha256, size, actor=actor, now=now)
            raise DomainError(
                N_(
                    "Le fichier n'est pas une archive zip chiffrée en AES-256 : il n'a pas été "
                    "conservé."
                ),
                code=error.code,
                fields={"file": [N_("Archive refusée : %(error)s", error=error)]},
            ) from None
        deposit = Deposit(
            organisation=org,
            intervention=intervention,
            direction=rules.RECEIVED,
            source=rules.WEB,
            state=rules.VERIFIED,
            original_filename=storage.original_name(incoming.filename),
            stored_name=storage.new_stored_name(),
            size=size,
            sha256=sha256,
            check_code="aes256",
            check_message=_verified_message(entries),
            created_at=now,
            created_by_id=actor.id,
        )
        db.session.add(deposit)
        db.session.flush()
        placed = storage.place(incoming.path, deposit)
        deposit.journal(
            "deposit.received", now=now, actor=actor, source=rules.WEB, size=size, sha256=sha256
        )
        try:
            db.session.commit()
        except Exception:
            storage.remove(placed)
            raise
        return deposit
    finally:
        if incoming is not None:
            storage.remove(incoming.path)


def _verified_message(entries) -> str:
    files = sum(1 for entry in entries if not entry.is_dir)
    return f"{files} fichier(s), chaque entrée chiffrée en AES-256 (structure vérifiée)."


def _journal_refusal(error, org, incoming, sha256, size, *, actor, now) -> None:
    db.session.rollback()
    record(
        "deposit.refused",
        now=now,
        actor=actor,
        organisation_id=org.id,
        object_type="deposit",
        details={
            "code": error.code,
            "reason": str(error),
            "filename": storage.original_name(incoming.filename),
            "size": size,
            "sha256": sha256,
        },
    )
    db.session.commit()


# --- The FTP inbox (worker) ------------------------------------------------------------------


def poll_inbox(*, now: datetime) -> int | str:
    """Download new inbox files once each, check them; FtpUnavailable: try at the next tick."""
    settings = ftp.FtpSettings.from_config(current_app.config)
    for leftover in db.session.scalars(
        select(Deposit).where(Deposit.state == rules.STATE_RECEIVED)
    ):
        check(leftover, now=now)  # downloaded before a crash, never checked
    if not settings.configured:
        return "not configured"
    taken = 0
    with ftp.session(settings) as conn:
        for remote in ftp.list_inbox(conn, settings.inbox):
            known = select(Deposit.id).where(Deposit.remote_key == remote.key)
            if db.session.scalar(known) is not None:
                continue
            deposit = _download(conn, remote, now=now)
            if deposit is not None:
                check(deposit, now=now, conn=conn)
                taken += 1
    return taken


def _download(conn, remote: ftp.RemoteFile, *, now: datetime) -> Deposit | None:
    temporary = storage.new_temporary()
    try:
        sha256, size = ftp.download(conn, remote, temporary)
        if size != remote.size:
            log.info("%s changed while downloading; next tick", remote.path)
            return None
        org, intervention = _owner(remote.folders)
        deposit = Deposit(
            organisation=org,
            intervention=intervention,
            direction=rules.RECEIVED,
            source=rules.FTP,
            state=rules.STATE_RECEIVED,
            original_filename=storage.original_name(remote.name),
            stored_name=storage.new_stored_name(),
            size=size,
            sha256=sha256,
            created_at=now,
            remote_path=remote.path,
            remote_key=remote.key,
        )
        db.session.add(deposit)
        db.session.flush()
        storage.place(temporary, deposit)
        deposit.journal(
            "deposit.received",
            now=now,
            actor=None,
            source=rules.FTP,
            remote_path=remote.path,
            size=size,
            sha256=sha256,
        )
        db.session.commit()
        return deposit
    finally:
        storage.remove(temporary)


def _owner(folders: tuple[str, ...]) -> tuple[Organisation | None, Intervention | None]:
    """<inbox>/<SIREN>/[<intervention reference>/]file: the municipality and intervention."""
    if not folders:
        return None, None
    org = db.session.scalar(
        select(Organisation).where(
            Organisation.siren == folders[0], Organisation.kind == CONTROLLER
        )
    )
    if org is None or len(folders) < 2:
        return org, None
    intervention = db.session.scalar(
        select(Intervention).where(
            Intervention.organisation_id == org.id,
            Intervention.reference == folders[1],
            Intervention.closed_at.is_(None),
        )
    )
    return org, intervention


def check(deposit: Deposit, *, now: datetime, conn=None) -> None:
    """Verified when every entry is AES-256; otherwise quarantined, reported, removed from FTP."""
    path = storage.path_of(deposit)
    try:
        entries = inspect_archive(path, DEFAULT_LIMITS)
    except ArchiveError as error:
        deposit.state = rules.QUARANTINED
        storage.place(path, deposit)
        deposit.check_code, deposit.check_message = error.code, str(error)[:1000]
        deposit.journal("deposit.quarantined", now=now, actor=None, code=error.code)
        notify.report_quarantine(deposit, now=now)
        db.session.commit()
        if conn is not None and deposit.is_on_server:
            ftp.delete(conn, deposit.remote_path)  # personal data in clear must not stay there
            deposit.remote_deleted_at = now
            deposit.journal("deposit.remote_deleted", now=now, actor=None)
            db.session.commit()
        return
    deposit.state = rules.VERIFIED
    deposit.check_code, deposit.check_message = "aes256", _verified_message(entries)
    deposit.journal("deposit.verified", now=now, actor=None)
    db.session.commit()
