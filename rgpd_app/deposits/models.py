"""Interventions and the files exchanged for them (annex §1, "Politique de transfert")."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.accounts.models import User
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.organisations.models import Organisation


class Intervention(Journaled, db.Model):
    """A support ticket or a yearly integration: the reason why files are exchanged."""

    __tablename__ = "intervention"
    __table_args__ = (UniqueConstraint("organisation_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(500))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    certificate_name: Mapped[str | None] = mapped_column(String(64))
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    certificate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    validated_by: Mapped[User | None] = relationship(foreign_keys=[validated_by_id])
    deposits: Mapped[list["Deposit"]] = relationship(
        back_populates="intervention", order_by="Deposit.id"
    )
    journal_type = "intervention"

    @property
    def state(self) -> str:
        if self.validated_at:
            return "validated"
        return "closed" if self.closed_at else "open"


class Deposit(Journaled, db.Model):
    """One file received from or sent to a municipality; the file itself lives on disk."""

    __tablename__ = "deposit"
    journal_type = "deposit"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    intervention_id: Mapped[int | None] = mapped_column(ForeignKey("intervention.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))  # web, ftp
    state: Mapped[str] = mapped_column(String(20), index=True)
    original_filename: Mapped[str] = mapped_column(String(255), default="")  # metadata only
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    check_code: Mapped[str] = mapped_column(String(40), default="")
    check_message: Mapped[str] = mapped_column(String(1000), default="")
    recipient_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Where the file is (received) or goes (sent) on the FTP server; `remote_key` makes the
    # inbox poll idempotent (path, size and modification time of what was downloaded).
    remote_path: Mapped[str | None] = mapped_column(String(500))
    remote_key: Mapped[str | None] = mapped_column(String(600), unique=True)
    remote_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    upload_attempts: Mapped[int] = mapped_column(default=0)
    next_upload_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    destroyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    intervention: Mapped[Intervention | None] = relationship(back_populates="deposits")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    destroyed_by: Mapped[User | None] = relationship(foreign_keys=[destroyed_by_id])

    @property
    def is_on_server(self) -> bool:
        """A copy sits on the FTP server (received there, or uploaded) and was not deleted."""
        if self.remote_path is None or self.remote_deleted_at is not None:
            return False
        return self.source == "ftp" or self.sent_at is not None

    def journal_details(self) -> dict:
        return {"direction": self.direction, "state": self.state}
