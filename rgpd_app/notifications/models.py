from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rgpd_app.dbtypes import UTCDateTime
from rgpd_app.extensions import db

EMAIL = "email"
WEBHOOK = "webhook"

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATES = (PENDING, SENDING, SENT, FAILED)


class OutboxMessage(db.Model):
    """An e-mail or webhook written in the transaction of the event that causes it.

    The worker sends it later; `message_id` travels with every attempt so that receivers can
    drop the duplicate left by a worker killed between sending and recording the success.
    The content (subject, bodies) is rendered when the message is enqueued and never changes.
    """

    __tablename__ = "outbox_message"
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
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event_type: Mapped[str] = mapped_column(String(60), default="")
    event_id: Mapped[str] = mapped_column(String(60), default="")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} {self.state}>"
