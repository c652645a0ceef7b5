"""Files sent to a municipality: encrypted at once with a generated password (shown once,
never stored), then uploaded to the FTP outbox by the worker, retried until it succeeds."""

import logging
import posixpath
import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select

from encryption import generate_password, write_encrypted_zip
from encryption.entry_names import neutral_name
from rgpd_app.deposits import ftp, notify, rules, storage
from rgpd_app.deposits.models import Deposit
from rgpd_app.deposits.receiving import target_of
from rgpd_app.deposits.storage import IncomingFile
from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.files import file_digest, private_folder
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_

log = logging.getLogger("rgpd_app.deposits")


def send_file(
    incoming: IncomingFile | None, data: dict, *, actor: Actor, now: datetime
) -> tuple[Deposit, str]:
    """Encrypt the plain file (deleted at once) and queue it; returns the deposit and the
    password, which the caller shows once to the agent and never keeps."""
    require(actor, *rules.HANDLERS)
    try:
        org, intervention = target_of(data, actor=actor)
        recipient = (data.get("recipient_email") or org.dpo_email or "").strip()
        errors = {}
        if not recipient:
            errors["recipient_email"] = [
                N_("Indiquez le destinataire (la collectivité n'a pas de DPO enregistré).")
            ]
        if incoming is None:
            errors["file"] = [N_("Joignez le fichier à chiffrer.")]
        if not current_app.config["FTP_HOST"]:
            errors["_form"] = [N_("Serveur FTP non configuré (RGPD_FTP_HOST) : envoi impossible.")]
        if errors:
            raise ValidationFailed(errors)
        password = generate_password()
        deposit = Deposit(
            organisation=org,
            intervention=intervention,
            direction=rules.SENT,
            source=rules.WEB,
            state=rules.PENDING_UPLOAD,
            original_filename=storage.original_name(incoming.filename),
            stored_name=storage.new_stored_name(),
            recipient_email=recipient,
            created_at=now,
            created_by_id=actor.id,
            next_upload_at=now,
        )
        target = storage.path_of(deposit)
        private_folder(target.parent)
        entry = neutral_name(1, incoming.filename)  # keeps a known extension, never the name
        write_encrypted_zip(target, [(incoming.path, entry)], password)  # 0600 (mkstemp)
        storage.remove(incoming.path)  # the plain file does not outlive the encryption
        deposit.sha256, deposit.size = file_digest(target)
        deposit.remote_path = posixpath.join(
            current_app.config["FTP_OUTBOX"], org.siren, f"depot-{uuid.uuid4().hex[:12]}.zip"
        )
        deposit.check_code, deposit.check_message = "aes256", "Chiffré par le service (AES-256)."
        db.session.add(deposit)
        db.session.flush()
        deposit.journal(
            "deposit.prepared",
            now=now,
            actor=actor,
            size=deposit.size,
            sha256=deposit.sha256,
            recipient=recipient,
        )
        try:
            db.session.commit()
        except Exception:
            storage.remove(target)
            raise
        return deposit, password
    finally:
        if incoming is not None:
            storage.remove(incoming.path)


def upload_pending(*, now: datetime) -> int | str:
    """Upload every due pending deposit; on failure each one is rescheduled, never dropped."""
    due = list(
        db.session.scalars(
            select(Deposit)
            .where(
                Deposit.state == rules.PENDING_UPLOAD,
                or_(Deposit.next_upload_at.is_(None), Deposit.next_upload_at <= now),
            )
            .order_by(Deposit.id)
        )
    )
    if not due:
        return 0
    settings = ftp.FtpSettings.from_config(current_app.config)
    done = 0
    try:
        with ftp.session(settings) as conn:
            for deposit in due:
                ftp.upload(conn, storage.path_of(deposit), deposit.remote_path)
                deposit.state, deposit.sent_at, deposit.last_error = rules.STATE_SENT, now, ""
                deposit.remote_key = f"sent|{deposit.remote_path}"
                deposit.upload_attempts += 1
                deposit.journal(
                    "deposit.sent", now=now, actor=None, remote_path=deposit.remote_path
                )
                notify.announce_sent(deposit, host=settings.host, now=now)
                db.session.commit()
                done += 1
    except (ftp.FtpUnavailable, ftp.FtpMisconfigured) as error:
        db.session.rollback()
        _reschedule([d for d in due if d.state == rules.PENDING_UPLOAD], str(error), now=now)
        return "unavailable"
    return done


def _reschedule(deposits: list[Deposit], error: str, *, now: datetime) -> None:
    for deposit in deposits:
        deposit.upload_attempts += 1
        deposit.next_upload_at = rules.next_attempt_at(now, deposit.upload_attempts)
        deposit.last_error = error[:500]
    log.warning("deposit upload failed (%d waiting): %s", len(deposits), error)
    db.session.commit()
