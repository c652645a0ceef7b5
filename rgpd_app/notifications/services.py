"""The outbox: enqueue in the caller's transaction, send from the worker, retry, list."""

import json
import logging
import uuid
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import func, select, update

from rgpd_app.clocks.services import Task
from rgpd_app.errors import Conflict, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.notifications import delivery
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

log = logging.getLogger("rgpd_app.outbox")


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
        raise ValidationFailed({"to": [N_("Adresse e-mail invalide : « %(to)s ».", to=to)]})
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


def send_due(now: datetime, *, limit: int = 500) -> dict:
    """Send every due message once; counts by outcome ("sent", "retry", "failed", and "lost"
    when another sender took a claim over). On SQLite, nothing when another sender is running."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with delivery.one_sender() as mine:
        if not mine:
            log.info("another sender is running on this database; this round sends nothing")
            return {**counts, "busy": 1}
        for _ in range(limit):
            claimed = delivery.claim_next(now)
            if claimed is None:
                break
            outcome = delivery.deliver(*claimed, now)
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def purge_bodies(now: datetime) -> int:
    """Blank the content of messages sent or failed more than the retention period ago (it
    holds personal data: names, breach facts); the delivery record stays as evidence."""
    days = current_app.config["OUTBOX_BODY_RETENTION_DAYS"]
    before = now - timedelta(days=days)
    settled = func.coalesce(OutboxMessage.sent_at, OutboxMessage.last_attempt_at)
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.state.in_((SENT, FAILED)),
                OutboxMessage.body_purged_at.is_(None),
                settled < before,
            )
            .order_by(OutboxMessage.id)
        )
    )
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chunk))
            .values(body_text="", body_html="", context="{}", body_purged_at=now)
            .execution_options(synchronize_session=False)
        )
    if ids:
        record(
            "notification.bodies_purged",
            now=now,
            object_type=OutboxMessage.journal_type,
            details={
                "count": len(ids),
                "retention_days": days,
                "settled_before": before.isoformat(),
                "first_id": ids[0],
                "last_id": ids[-1],
            },
        )
    db.session.commit()
    return len(ids)


def purge_bodies_job(now):
    return purge_bodies(now)


def send_job(now):
    return send_due(now)


def _find(message_id: int | str) -> OutboxMessage:
    if isinstance(message_id, int) or str(message_id).isdigit():
        message = db.session.get(OutboxMessage, int(message_id))
    else:
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.message_id == message_id)
        )
    if message is None:
        raise NotFound(N_("Message introuvable."))
    return message


def retry_failed(message_id: int | str, *, actor: Actor | None, now: datetime) -> OutboxMessage:
    """Put a failed message back in the queue (or a pending one due now); by id or message id.

    `actor=None` is the server's operator (CLI).
    """
    if actor is not None:
        require(actor, roles.ADMIN)
    message = _find(message_id)
    if message.state not in (FAILED, PENDING):
        raise Conflict(N_("Seul un message en échec ou en attente peut être renvoyé."))
    if message.body_purged_at is not None:
        raise Conflict(
            N_(
                "Le contenu de ce message a été effacé au terme de sa durée de conservation : "
                "il ne peut plus être renvoyé."
            )
        )
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
        object_type=OutboxMessage.journal_type,
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


def failed_messages(actor: Actor, now: datetime) -> list[Task]:
    """For administrators: messages given up after every attempt, to look at and retry."""
    if not (actor.is_processor_staff and actor.has(roles.ADMIN)):
        return []
    stmt = select(OutboxMessage).where(OutboxMessage.state == FAILED)
    return [
        Task(
            uid=f"outbox-{message.id}-failed",
            domain="admin",
            title=f"Message non remis : {message.subject[:80]}",
            organisation_name="—",
            since=message.last_attempt_at or message.created_at,
            url=url_for("notifications.index", state=FAILED),
            action=gettext("Envoi en échec"),
        )
        for message in db.session.scalars(stmt.order_by(OutboxMessage.id).limit(50))
    ]
