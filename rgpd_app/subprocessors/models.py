"""Change notices to the sub-processor catalogue and their recipients (annex 4.4).

The catalogue itself (`Subprocessor`, its chain) is in register.models, below this domain: the
register links processings to it.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.models import Subprocessor

DRAFT = "draft"
SENT = "sent"


class SubprocessorNotice(Journaled, db.Model):
    """An intended addition or replacement of a sub-processor, announced to municipalities."""

    __tablename__ = "subprocessor_notice"
    journal_type = "subprocessor_notice"
    journal_organisation = None  # a notice goes to every municipality concerned

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # addition | replacement
    subprocessor_id: Mapped[int | None] = mapped_column(ForeignKey("subprocessor.id"), index=True)
    replaced_id: Mapped[int | None] = mapped_column(ForeignKey("subprocessor.id"))
    activities: Mapped[str] = mapped_column(Text, default="[]")
    contract_start_on: Mapped[date | None]
    contract_end_on: Mapped[date | None]
    scope: Mapped[str] = mapped_column(String(20), default="all")  # all | activity
    details: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    # Frozen when sent: silence is never consent to a transfer outside the EU/EEA (annex 4.2).
    is_transfer_outside_eea: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    subprocessor: Mapped[Subprocessor | None] = relationship(
        foreign_keys=[subprocessor_id], lazy="joined"
    )
    replaced: Mapped[Subprocessor | None] = relationship(foreign_keys=[replaced_id], lazy="joined")
    recipients: Mapped[list["NoticeRecipient"]] = relationship(
        back_populates="notice", lazy="selectin", order_by="NoticeRecipient.id"
    )

    def journal_details(self) -> dict:
        return {"kind": self.kind, "subprocessor_id": self.subprocessor_id}


class NoticeRecipient(Journaled, db.Model):
    """One municipality informed of a notice, with its own objection window (DESIGN §3)."""

    __tablename__ = "subprocessor_notice_recipient"
    journal_type = "subprocessor_notice_recipient"
    __table_args__ = (UniqueConstraint("notice_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("subprocessor_notice.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    email_to: Mapped[str] = mapped_column(String(254), default="")
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    received_on: Mapped[date | None]
    receipt_source: Mapped[str] = mapped_column(String(20), default="")  # mail_server | manual
    receipt_proof: Mapped[str] = mapped_column(Text, default="")
    window_ends_on: Mapped[date | None]
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    objected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    objected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    objection_reason: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approval_reference: Mapped[str] = mapped_column(String(300), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(30), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    notice: Mapped[SubprocessorNotice] = relationship(back_populates="recipients", lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def journal_details(self) -> dict:
        return {"notice_id": self.notice_id}
