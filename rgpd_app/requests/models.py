from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import EncryptedText, UTCDateTime
from rgpd_app.organisations.models import Organisation
from rgpd_app.requests.rules import DEFAULT_RETENTION_MONTHS, FORWARDED
from rgpd_app.timesheets import TimeEntryColumns


class SubjectRequest(Journaled, db.Model):
    """A data subject's request about a municipality's processing (GDPR art. 15-22).

    The requester's identity and the request's own words are personal data of a citizen:
    sealed with AES-256-GCM (EncryptedText), read only through the journaled service, and
    purged `retention_months` after the request is closed.
    """

    __tablename__ = "subject_request"
    journal_type = "subject_request"
    journal_prefix = "requests."
    journal_flush = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    origin: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Deferred: loaded (and decrypted) only when the journaled service asks for it.
    requester_identity: Mapped[str | None] = mapped_column(
        EncryptedText("subject_request.requester_identity"), deferred=True
    )
    details: Mapped[str | None] = mapped_column(
        EncryptedText("subject_request.details"), deferred=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(String(20), default=FORWARDED, index=True)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    forwarded_to: Mapped[str] = mapped_column(Text, default="")
    controller_received_on: Mapped[date | None]
    controller_extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    controller_extension_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    retention_months: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_MONTHS)
    identity_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    assistance: Mapped["AssistanceRequest | None"] = relationship(
        back_populates="request", lazy="selectin", uselist=False
    )

    @property
    def reference(self) -> str:
        return f"DEM-{self.id:05d}"

    def journal_details(self) -> dict:
        return {"reference": self.reference, "state": self.state}


class AssistanceRequest(db.Model):
    """The municipality asks the processor to help it answer a request (annex art. 4.3)."""

    __tablename__ = "assistance_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_request.id"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    question: Mapped[str] = mapped_column(Text, default="")
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    extension_reason: Mapped[str] = mapped_column(String(20), default="")
    extension_note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20), default="")
    outcome_details: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    request: Mapped[SubjectRequest] = relationship(back_populates="assistance")
    entries: Mapped[list["AssistanceTimeEntry"]] = relationship(
        order_by="AssistanceTimeEntry.worked_on, AssistanceTimeEntry.id", lazy="selectin"
    )

    @property
    def is_extended(self) -> bool:
        return self.extended_at is not None

    @property
    def total_minutes(self) -> int:
        return sum(e.minutes for e in self.entries)


class AssistanceTimeEntry(TimeEntryColumns, db.Model):
    """Time spent by the processor's staff helping with a request, billed (annex art. 4.3)."""

    __tablename__ = "assistance_time_entry"

    assistance_id: Mapped[int] = mapped_column(ForeignKey("assistance_request.id"), index=True)
