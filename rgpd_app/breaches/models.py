"""Breaches, their phased updates, one notice per affected municipality and its clock."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.organisations.models import Organisation


class Breach(Journaled, db.Model):
    """A breach recorded by the processor. The fact columns hold the latest values; every
    version of them is kept, never overwritten, in `BreachUpdate` (art. 33(4))."""

    __tablename__ = "breach"
    journal_type = "breach"
    journal_organisation = None  # a breach may touch several municipalities

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_ongoing: Mapped[bool] = mapped_column(default=False)
    aware_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    discovery: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    natures: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of rules.NATURES
    origin: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(String(30), default="")
    data_categories: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of labels
    person_categories: Mapped[str] = mapped_column(Text, default="[]")
    persons_count: Mapped[int | None]
    records_count: Mapped[int | None]
    consequences: Mapped[str] = mapped_column(Text, default="")
    measures_taken: Mapped[str] = mapped_column(Text, default="")
    measures_planned: Mapped[str] = mapped_column(Text, default="")
    prior_measures: Mapped[str] = mapped_column(Text, default="")
    contact_point: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    notices: Mapped[list["BreachNotice"]] = relationship(
        back_populates="breach", order_by="BreachNotice.id", lazy="selectin"
    )
    updates: Mapped[list["BreachUpdate"]] = relationship(
        order_by="BreachUpdate.phase", lazy="selectin", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Breach {self.reference}>"

    def journal_details(self) -> dict:
        return {"reference": self.reference}


class BreachUpdate(db.Model):
    """One dated phase of the facts (art. 33(4)): the full facts as they stood, and what
    changed. Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "breach_update"
    __table_args__ = (UniqueConstraint("breach_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breach.id"), index=True)
    phase: Mapped[int]
    summary: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[str] = mapped_column(Text)  # JSON snapshot of every fact
    changed_fields: Mapped[str] = mapped_column(Text, default="[]")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_email: Mapped[str] = mapped_column(String(254), default="")


class BreachActivity(db.Model):
    """A processing activity concerned by the breach; used to suggest municipalities only."""

    __tablename__ = "breach_activity"

    breach_id: Mapped[int] = mapped_column(ForeignKey("breach.id"), primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activity.id"), primary_key=True, index=True
    )


class BreachNotice(Journaled, db.Model):
    """The breach ↔ municipality link and the notice to that municipality (annex 4.7).

    Its 72-hour clock starts when the notice reached the municipality (`notified_at`): the
    mail server's acceptance of the notice e-mail, or a recorded acknowledgement.
    """

    __tablename__ = "breach_notice"
    __table_args__ = (
        UniqueConstraint("breach_id", "organisation_id"),
        Index("ix_breach_notice_deadline", "authority_deadline_at"),
    )
    journal_type = "breach_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breach.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    persons_count: Mapped[int | None]
    records_count: Mapped[int | None]
    processor_target_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    email_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    authority_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    letter_sent_on: Mapped[date | None]
    letter_tracking_number: Mapped[str] = mapped_column(String(60), default="")
    letter_acknowledged_on: Mapped[date | None]

    breach: Mapped[Breach] = relationship(back_populates="notices", lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    decision: Mapped["BreachDecision | None"] = relationship(lazy="selectin", uselist=False)
    cnil_notifications: Mapped[list["CnilNotification"]] = relationship(
        order_by="CnilNotification.notified_at", lazy="selectin"
    )

    def journal_details(self) -> dict:
        return {"reference": self.breach.reference}


class BreachDecision(db.Model):
    """The municipality DPO's decision for its part (art. 33 and 34)."""

    __tablename__ = "breach_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("breach_notice.id"), unique=True)
    risk_level: Mapped[str] = mapped_column(String(10))
    risk_reasoning: Mapped[str] = mapped_column(Text)
    persons_information: Mapped[str] = mapped_column(String(20))
    persons_informed_on: Mapped[date | None]
    persons_information_means: Mapped[str] = mapped_column(Text, default="")
    exemption: Mapped[str] = mapped_column(String(30), default="")
    public_communication: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class CnilNotification(db.Model):
    """A notification by the municipality to the CNIL: the initial one, then complementary."""

    __tablename__ = "breach_cnil_notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("breach_notice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cnil_reference: Mapped[str] = mapped_column(String(60), default="")
    delay_reason: Mapped[str] = mapped_column(Text, default="")
    is_late: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class BreachReminder(db.Model):
    """A reminder or escalation already sent for a notice: each kind exactly once."""

    __tablename__ = "breach_reminder"
    __table_args__ = (UniqueConstraint("notice_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("breach_notice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
