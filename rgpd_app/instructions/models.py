from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.instructions.rules import GIVEN, WITHDRAWN
from rgpd_app.organisations.models import Organisation

# Which processings an instruction concerns (the register's tables are not ours to change).
instruction_processing = Table(
    "instruction_processing",
    db.metadata,
    Column("instruction_id", ForeignKey("instruction.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "activity_id",
        ForeignKey("processing_activity.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

ATTACHMENT, NOTICE_LETTER = "attachment", "notice_letter"


class Instruction(Journaled, db.Model):
    """A written instruction of a municipality to the processor; never edited once acknowledged."""

    __tablename__ = "instruction"
    journal_type = "instruction"
    journal_prefix = "instructions."
    journal_flush = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default=GIVEN, index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("instruction.id"), index=True)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    given_by_name: Mapped[str] = mapped_column(String(200), default="")
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_by_name: Mapped[str] = mapped_column(String(200), default="")
    confirmation_text: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    cnil_referred_on: Mapped[date | None]
    cnil_reference: Mapped[str] = mapped_column(String(300), default="")
    cnil_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cnil_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    applied_note: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    activities = relationship(
        "ProcessingActivity",
        secondary=instruction_processing,
        lazy="selectin",
        order_by="ProcessingActivity.name",
    )
    attachments: Mapped[list["InstructionAttachment"]] = relationship(
        back_populates="instruction", order_by="InstructionAttachment.id", lazy="selectin"
    )
    supersedes: Mapped["Instruction | None"] = relationship(
        remote_side=[id], back_populates="successors"
    )
    successors: Mapped[list["Instruction"]] = relationship(
        back_populates="supersedes", order_by="Instruction.id"
    )

    @property
    def reference(self) -> str:
        return f"INS-{self.id:05d}"

    @property
    def superseded_by(self) -> "Instruction | None":
        """The later instruction that replaces this one (a withdrawn correction replaces none)."""
        return next((s for s in self.successors if s.state != WITHDRAWN), None)

    def __repr__(self) -> str:
        return f"<Instruction {self.id} {self.subject!r}>"

    def journal_details(self) -> dict:
        return {"reference": self.reference, "state": self.state}


class InstructionAttachment(db.Model):
    """A file of an instruction under STORAGE_ROOT/instructions/<storage_name>, with its SHA-256.

    `kind` is "attachment" (given with the instruction) or "notice_letter" (the processor's
    letter saying the instruction appears to infringe data-protection law, frozen as sent).
    """

    __tablename__ = "instruction_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instruction_id: Mapped[int] = mapped_column(
        ForeignKey("instruction.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default=ATTACHMENT)
    original_filename: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    instruction: Mapped[Instruction] = relationship(back_populates="attachments")
