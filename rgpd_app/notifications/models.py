from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import UTCDateTime

EMAIL = "email"
WEBHOOK = "webhook"

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATES = (PENDING, SENDING, SENT, FAILED)

# Outcomes of one attempt (OutboxAttempt.outcome).
IN_FLIGHT = "in_flight"  # claimed, no answer recorded yet
ACCEPTED = "accepted"  # the server answered 250 to DATA (a webhook: 2xx)
PRESUMED = "presumed"  # the sender stopped after the end of data, before the answer was recorded
INTERRUPTED = "interrupted"  # the sender stopped before the message was on the wire
REFUSED = "refused"  # an answer that is not an acceptance, or a transport error


class OutboxMessage(Journaled, db.Model):
    """An e-mail or webhook written in the transaction of the event that causes it.

    The worker sends it later. The transport is at-least-once: a sender killed between the
    server's 250 and our record of it leaves the message to be sent again, with the same
    `message_id` (and webhook Idempotency-Key), so a receiver may see it twice. Our records are
    exactly-once: `accepted_at` is the first acceptance and no later attempt replaces it; each
    attempt is kept in OutboxAttempt. The content (subject, bodies) is rendered when the message
    is enqueued and never changes; bodies are blanked after the retention period.
    """

    __tablename__ = "outbox_message"
    journal_type = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), unique=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(500))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    template: Mapped[str] = mapped_column(String(60))
    context: Mapped[str] = mapped_column(Text, default="{}")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the claim's time
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a long send is alive
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first acceptance
    accepted_attempt: Mapped[int | None] = mapped_column()
    acceptance_reply: Mapped[str] = mapped_column(Text, default="")
    acceptance_queue_id: Mapped[str] = mapped_column(String(100), default="")
    body_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_type: Mapped[str] = mapped_column(String(60), default="")
    event_id: Mapped[str] = mapped_column(String(60), default="")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} {self.state}>"

    def journal_details(self) -> dict:
        # Never the subject, the bodies or the context: they may carry personal data.
        return {
            "channel": self.channel,
            "template": self.template,
            "recipient": self.journal_recipient,
            "message_id": self.message_id,
            "attempts": self.attempts,
        }

    @property
    def journal_recipient(self) -> str:
        """The address, or the webhook URL without its query (it may carry a token)."""
        if self.channel == WEBHOOK:
            parts = urlsplit(self.recipient)
            return f"{parts.scheme}://{parts.netloc}{parts.path}"
        return self.recipient


class OutboxAttempt(db.Model):
    """One attempt to hand a message over, kept as evidence: when, and what the server said."""

    __tablename__ = "outbox_attempt"
    __table_args__ = (UniqueConstraint("message_pk", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    number: Mapped[int] = mapped_column()
    recipient: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    data_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(20), default=IN_FLIGHT)
    reply: Mapped[str] = mapped_column(Text, default="")
    queue_id: Mapped[str] = mapped_column(String(100), default="")

    def __repr__(self) -> str:
        return f"<OutboxAttempt {self.message_pk}#{self.number} {self.outcome}>"
