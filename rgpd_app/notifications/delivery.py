"""How an outbox message is handed over: claims that cannot overlap, every attempt kept as
evidence, the first acceptance never replaced, a heartbeat for long sends, and one sender at a
time on SQLite.

At-least-once transport, exactly-once records: a sender killed between the server's 250 and our
commit leaves the message to be sent again (same Message-ID); `accepted_at` keeps the first
acceptance and every clock that starts at receipt reads it.
"""

import fcntl
import logging
import os
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from rgpd_app import clock
from rgpd_app.extensions import db
from rgpd_app.notifications import channels, rules
from rgpd_app.notifications.models import (
    ACCEPTED,
    EMAIL,
    IN_FLIGHT,
    INTERRUPTED,
    PENDING,
    PRESUMED,
    REFUSED,
    SENDING,
    SENT,
    WEBHOOK,
    OutboxAttempt,
    OutboxMessage,
)

log = logging.getLogger("rgpd_app.outbox")

CANDIDATES = 20  # looked at per claim; a lost race moves on to the next one

PRESUMED_REPLY = (
    "Aucune réponse enregistrée : l'envoi s'est interrompu après la transmission du message ; "
    "acceptation présumée à cet instant."
)
INTERRUPTED_REPLY = "Envoi interrompu avant la transmission complète du message."


@contextmanager
def one_sender():
    """On SQLite, an exclusive file lock beside the database: the worker and `flask rgpd outbox
    send` side by side never both send. Yields False when another sender holds it. Other
    backends: always True (conditional claims suffice; several senders share the work)."""
    engine = db.engine
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield True
        return
    path = Path(database).with_name(Path(database).name + ".outbox-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _move_if(pk: int, held_state: str, held_attempts: int, /, **values) -> bool:
    """Update the message only if its state and attempt count are still the ones we hold (the
    claim, and every later step of the same attempt): True when exactly this row changed."""
    moved = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == pk,
            OutboxMessage.state == held_state,
            OutboxMessage.attempts == held_attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def claim_next(now: datetime) -> tuple[OutboxMessage, OutboxAttempt] | None:
    """Claim the next due message by a conditional update (state and attempt count unchanged
    since we read them, rowcount checked) and record its attempt, committed before sending."""
    at = max(now, clock.now())  # the claim's own time, not the batch's start
    stale = rules.stale_before(at, current_app.config["OUTBOX_SENDING_TIMEOUT_MINUTES"])
    alive_at = func.coalesce(OutboxMessage.heartbeat_at, OutboxMessage.last_attempt_at)
    candidates = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.state, OutboxMessage.attempts)
        .where(
            or_(
                and_(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= at),
                and_(OutboxMessage.state == SENDING, alive_at <= stale),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(CANDIDATES)
    ).all()
    db.session.commit()  # ends the read transaction
    for pk, state, attempts in candidates:
        claimed = _move_if(
            pk, state, attempts,
            state=SENDING, attempts=attempts + 1, last_attempt_at=at, heartbeat_at=None,
        )  # fmt: skip
        if not claimed:
            db.session.rollback()  # another sender took it first
            continue
        message = db.session.get(OutboxMessage, pk, populate_existing=True)
        previous = db.session.scalar(
            select(OutboxAttempt)
            .where(OutboxAttempt.message_pk == pk)
            .order_by(OutboxAttempt.number.desc())
            .limit(1)
        )
        if state == SENDING:
            log.warning("message %s: previous attempt interrupted, retrying", message.message_id)
            _close_interrupted(message, previous, at)
        attempt = OutboxAttempt(
            message_pk=pk,
            # Numbered over the message's whole life (an administrator's retry restarts
            # `attempts`, the count the retry policy reads, never this sequence).
            number=previous.number + 1 if previous else 1,
            recipient=message.recipient,
            started_at=at,
            outcome=IN_FLIGHT,
            reply="",
            queue_id="",
        )
        db.session.add(attempt)
        db.session.commit()
        return message, attempt
    return None


def _close_interrupted(message: OutboxMessage, previous: OutboxAttempt | None, at) -> None:
    """The attempt a dead sender left in flight: presumed accepted if the whole message had
    been transmitted (the server may have said 250 an instant later), interrupted otherwise."""
    if previous is None or previous.outcome != IN_FLIGHT:
        return
    previous.finished_at = at
    if previous.data_sent_at is None:
        previous.outcome, previous.reply = INTERRUPTED, INTERRUPTED_REPLY
        return
    previous.outcome, previous.reply = PRESUMED, PRESUMED_REPLY
    previous.accepted_at = previous.data_sent_at
    if _keep_first_acceptance(message.id, previous, "", PRESUMED_REPLY):
        message.journal(
            "notification.presumed_accepted",
            now=at,
            attempt=previous.number,
            at=previous.data_sent_at.isoformat(),
        )


def _keep_first_acceptance(pk: int, attempt: OutboxAttempt, queue_id: str, reply: str) -> bool:
    """Set the message's acceptance unless an earlier one is already recorded."""
    at = attempt.accepted_at
    changed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == pk,
            or_(OutboxMessage.accepted_at.is_(None), OutboxMessage.accepted_at > at),
        )
        .values(
            accepted_at=at,
            accepted_attempt=attempt.number,
            acceptance_reply=reply[:1000],
            acceptance_queue_id=queue_id[:100],
        )
        .execution_options(synchronize_session=False)
    )
    return changed.rowcount == 1


def _record_acceptance(pk: int, attempt_pk: int, number: int, reply: str, queue_id: str) -> bool:
    """The server said yes: the attempt, the first acceptance and `sent` in one commit; `sent`
    only if our claim still stands. True when this call moved the message to `sent`."""
    at = clock.now()
    attempt = db.session.get(OutboxAttempt, attempt_pk, populate_existing=True)
    attempt.outcome, attempt.accepted_at, attempt.finished_at = ACCEPTED, at, at
    attempt.reply, attempt.queue_id = reply[:1000], queue_id[:100]
    _keep_first_acceptance(pk, attempt, queue_id, reply)
    moved = _move_if(pk, SENDING, number, state=SENT, sent_at=at, last_error="", heartbeat_at=None)
    message = db.session.get(OutboxMessage, pk, populate_existing=True)
    if moved:
        message.journal(
            "notification.sent",
            now=at,
            at=at.isoformat(),
            first_acceptance=message.accepted_at.isoformat(),
            queue_id=queue_id,
        )
    else:
        log.warning("message %s: accepted again by attempt %d", message.message_id, number)
    db.session.commit()
    return moved


def _record_failure(pk: int, attempt_pk: int, number: int, err: Exception) -> str:
    """The attempt failed: kept with its error; the message retried later or given up."""
    at = clock.now()
    error = str(err)[:1000] or type(err).__name__
    attempt = db.session.get(OutboxAttempt, attempt_pk, populate_existing=True)
    attempt.outcome, attempt.finished_at, attempt.reply = REFUSED, at, error
    outcome = rules.after_failure(
        attempts=number,
        max_attempts=current_app.config["OUTBOX_MAX_ATTEMPTS"],
        now=at,
        permanent=getattr(err, "permanent", False),
    )
    values = {"state": outcome.state, "last_error": error, "heartbeat_at": None}
    if outcome.next_attempt_at is not None:
        values["next_attempt_at"] = outcome.next_attempt_at
    moved = _move_if(pk, SENDING, number, **values)
    result = "retry" if outcome.next_attempt_at is not None else "failed"
    if moved and result == "failed":
        message = db.session.get(OutboxMessage, pk, populate_existing=True)
        message.journal("notification.failed", now=at, error=error)
    db.session.commit()
    return result if moved else "lost"


class Heartbeat:
    """While one message is being sent, refresh its `heartbeat_at` so that no other sender takes
    it for an interrupted attempt, however long the send (a slow server, a large message)."""

    def __init__(self, pk: int, number: int):
        self.app = current_app._get_current_object()
        self.engine = db.engine
        self.pk, self.number = pk, number
        timeout = self.app.config["OUTBOX_SENDING_TIMEOUT_MINUTES"] * 60
        self.every = max(0.2, timeout / 3)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        table = OutboxMessage.__table__
        while not self._stop.wait(self.every):
            try:
                with self.app.app_context(), self.engine.begin() as conn:
                    conn.execute(
                        update(table)
                        .where(
                            table.c.id == self.pk,
                            table.c.state == SENDING,
                            table.c.attempts == self.number,
                        )
                        .values(heartbeat_at=clock.now())
                    )
            except Exception:  # a missed beat only risks a duplicate send, never a loss
                log.warning("message %s: heartbeat failed", self.pk, exc_info=True)


def deliver(message: OutboxMessage, attempt: OutboxAttempt, now: datetime) -> str:
    """Send one claimed message; "sent", "retry", "failed", or "lost" when another sender took
    the claim over meanwhile (its acceptance, if any, is still recorded)."""
    config = current_app.config
    pk, attempt_pk, number = message.id, attempt.id, message.attempts
    moved: list[bool] = []

    def on_data_sent():
        db.session.execute(
            update(OutboxAttempt)
            .where(OutboxAttempt.id == attempt_pk)
            .values(data_sent_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    def on_accepted(reply: str, queue_id: str):
        moved.append(_record_acceptance(pk, attempt_pk, number, reply, queue_id))

    with Heartbeat(pk, number):
        try:
            if message.channel == EMAIL:
                channels.send_email(
                    message, config, on_data_sent=on_data_sent, on_accepted=on_accepted
                )
            elif message.channel == WEBHOOK:
                status = channels.post_webhook(
                    message, config, timestamp=int(now.timestamp()), attempt=number
                )
                on_accepted(f"HTTP {status}", "")
            else:
                raise channels.DeliveryError(f"Canal inconnu : {message.channel}", permanent=True)
        except Exception as err:  # any failure of one message must not stop the others
            db.session.rollback()
            if moved:  # accepted and recorded: what failed afterwards changes nothing
                log.warning("message %s: error after acceptance: %s", pk, err)
            else:
                if not isinstance(err, channels.DeliveryError):
                    log.exception("message %s: unexpected error", pk)
                return _record_failure(pk, attempt_pk, number, err)
    return "sent" if moved and moved[0] else "lost"


def attempts_of(message: OutboxMessage) -> list[OutboxAttempt]:
    return list(
        db.session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.message_pk == message.id)
            .order_by(OutboxAttempt.number)
        )
    )
