"""The outbox: enqueue in the caller's transaction, send from the worker, retry, list."""

import json
import logging
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, or_, select

from rgpd_app import clock
from rgpd_app.accounts import rules as roles
from rgpd_app.errors import Conflict, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.journal.services import record
from rgpd_app.notifications import channels, rules
from rgpd_app.notifications.emails import render_email
from rgpd_app.notifications.models import (
    EMAIL,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    WEBHOOK,
    OutboxMessage,
)
from rgpd_app.paging import Page, paginate
from rgpd_app.scheduler import job
from rgpd_app.tenancy import Actor, require

log = logging.getLogger("rgpd_app.outbox")

OBJECT_TYPE = "outbox_message"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@rgpd_app>"


def _event_ref(event) -> tuple[str, str]:
    """(type, id) from a ("breach", 12) pair or a model instance (flushed to get its id)."""
    if event is None:
        return "", ""
    if isinstance(event, tuple):
        kind, ident = event
        return str(kind), str(ident)
    if getattr(event, "id", None) is None:
        db.session.flush()
    return event.__tablename__, str(event.id)


def enqueue_email(
    *,
    to: str,
    template: str,
    context: dict,
    organisation_id: int | None = None,
    event=None,
    now: datetime,
) -> OutboxMessage:
    """Render the e-mail now (frozen as it was when the event happened) and add it, uncommitted."""
    address = (to or "").strip()
    if "@" not in address or any(c in address for c in "\r\n<>, "):
        raise ValidationFailed({"to": [f"Adresse e-mail invalide : « {to} »."]})
    rendered = render_email(template, context)
    event_type, event_id = _event_ref(event)
    message = OutboxMessage(
        message_id=new_message_id(),
        channel=EMAIL,
        recipient=address,
        organisation_id=organisation_id,
        template=template,
        context=json.dumps(context, ensure_ascii=False, sort_keys=True, default=str),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        event_type=event_type,
        event_id=event_id,
    )
    db.session.add(message)
    return message


def enqueue_webhook(
    *, event_type: str, payload: dict, now: datetime, organisation_id: int | None = None
) -> list[OutboxMessage]:
    """One message per configured URL (none configured: nothing); the JSON body is frozen now."""
    messages = []
    for url in current_app.config["WEBHOOK_URLS"]:
        message_id = new_message_id()
        body = {
            "id": message_id,
            "type": event_type,
            "created_at": now.isoformat(),
            "organisation_id": organisation_id,
            "data": payload,
        }
        message = OutboxMessage(
            message_id=message_id,
            channel=WEBHOOK,
            recipient=url,
            organisation_id=organisation_id,
            template=event_type,
            context=json.dumps(body, ensure_ascii=False, sort_keys=True, default=str),
            subject=event_type,
            state=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            event_type=event_type,
            event_id=str(payload.get("id", "")) if isinstance(payload, dict) else "",
        )
        db.session.add(message)
        messages.append(message)
    return messages


def _claim_next(now: datetime) -> OutboxMessage | None:
    """Record the attempt of the next due message and commit it, before anything is sent."""
    config = current_app.config
    stale = rules.stale_before(now, config["OUTBOX_SENDING_TIMEOUT_MINUTES"])
    message = db.session.scalars(
        select(OutboxMessage)
        .where(
            or_(
                and_(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.state == SENDING, OutboxMessage.last_attempt_at <= stale),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if message is None:
        db.session.commit()  # ends the read transaction
        return None
    if message.state == SENDING:
        log.warning("message %s: previous attempt interrupted, retrying", message.message_id)
    message.state = SENDING
    message.attempts += 1
    message.last_attempt_at = now
    db.session.commit()
    return message


def _deliver(message: OutboxMessage, now: datetime) -> None:
    config = current_app.config
    if message.channel == EMAIL:
        channels.send_email(message, config)
    elif message.channel == WEBHOOK:
        channels.post_webhook(message, config, timestamp=int(now.timestamp()))
    else:
        raise channels.DeliveryError(f"Canal inconnu : {message.channel}", permanent=True)


def _journal_recipient(message: OutboxMessage) -> str:
    """The address, or the webhook URL without its query (it may carry a token)."""
    if message.channel == WEBHOOK:
        parts = urlsplit(message.recipient)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"
    return message.recipient


def _journal(action: str, message: OutboxMessage, now: datetime, **extra) -> None:
    # Never the subject, the bodies or the context: they may carry personal data.
    record(
        action,
        now=now,
        organisation_id=message.organisation_id,
        object_type=OBJECT_TYPE,
        object_id=message.id,
        details={
            "channel": message.channel,
            "template": message.template,
            "recipient": _journal_recipient(message),
            "message_id": message.message_id,
            "attempts": message.attempts,
            **extra,
        },
    )


def send_due(now: datetime, *, limit: int = 500) -> dict:
    """Send every due message once; returns counts by outcome ("sent", "retry", "failed")."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    for _ in range(limit):
        message = _claim_next(now)
        if message is None:
            break
        try:
            _deliver(message, now)
        except Exception as err:  # any failure of one message must not stop the others
            permanent = getattr(err, "permanent", False)
            if not isinstance(err, channels.DeliveryError):
                log.exception("message %s: unexpected error", message.message_id)
            outcome = rules.after_failure(
                attempts=message.attempts, max_attempts=max_attempts, now=now, permanent=permanent
            )
            message.state = outcome.state
            message.last_error = str(err)[:1000] or type(err).__name__
            if outcome.next_attempt_at is not None:
                message.next_attempt_at = outcome.next_attempt_at
                counts["retry"] += 1
            else:
                _journal("notification.failed", message, now, error=message.last_error)
                counts["failed"] += 1
        else:
            message.state = SENT
            message.sent_at = now
            message.accepted_at = clock.now()  # when the server said yes, after the send
            message.last_error = ""
            _journal("notification.sent", message, now, at=message.accepted_at.isoformat())
            counts["sent"] += 1
        db.session.commit()
    return counts


@job("outbox.send")
def _send_job(now):
    return send_due(now)


def _find(message_id: int | str) -> OutboxMessage:
    if isinstance(message_id, int) or str(message_id).isdigit():
        message = db.session.get(OutboxMessage, int(message_id))
    else:
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.message_id == message_id)
        )
    if message is None:
        raise NotFound("Message introuvable.")
    return message


def retry_failed(message_id: int | str, *, actor: Actor | None, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue (or a pending one due now); by id or message id.

    `actor=None` is the server's operator (CLI).
    """
    if actor is not None:
        require(actor, roles.ADMIN)
    message = _find(message_id)
    if message.state not in (FAILED, PENDING):
        raise Conflict("Seul un message en échec ou en attente peut être renvoyé.")
    previous = {"state": message.state, "attempts": message.attempts}
    if message.state == FAILED:
        message.attempts = 0  # a fresh series of attempts; the journal keeps the old count
    message.state = PENDING
    message.next_attempt_at = now
    record(
        "notification.retry",
        now=now,
        actor=actor,
        organisation_id=message.organisation_id,
        object_type=OBJECT_TYPE,
        object_id=message.id,
        details={"message_id": message.message_id, "channel": message.channel, **previous},
    )
    db.session.commit()
    return message


def list_messages(
    *,
    actor: Actor | None,
    now: datetime,
    states: tuple[str, ...] = (FAILED, PENDING, SENDING),
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Messages in `states`, failed first, then by next attempt (administrators only)."""
    if actor is not None:
        require(actor, roles.ADMIN)
    stmt = select(OutboxMessage).where(OutboxMessage.state.in_(states))
    failed_first = (OutboxMessage.state != FAILED).asc()
    order = [failed_first, OutboxMessage.next_attempt_at, OutboxMessage.id]
    return paginate(stmt, page=page, per_page=per_page, order_by=order)
