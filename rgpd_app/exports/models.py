"""Long exports built by the worker (DESIGN §5): what was asked, how far it got, the file."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.accounts.models import User
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import EncryptedText, UTCDateTime

QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
STATES = (QUEUED, RUNNING, DONE, FAILED, EXPIRED)


class ExportJob(Journaled, db.Model):
    """One export asked by a user, built by the worker into a file under the storage root.

    Only the user who asked sees it (its public id is random, the numeric id is never shown).
    `sha256` and `size` let an auditor check that the file they keep is the one produced.
    """

    __tablename__ = "export_job"
    journal_type = "export"
    journal_key = "public_id"
    journal_user = "user"  # the worker builds it for whoever asked

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # a registered kind: "register"
    fmt: Mapped[str] = mapped_column(String(10))
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON, the kind's own parameters
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))  # the download's name, with extension
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    state: Mapped[str] = mapped_column(String(12), index=True, default=QUEUED)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    storage_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(String(1000), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An archive's password for the worker, encrypted, erased once the job is over.
    secret: Mapped[str | None] = mapped_column(EncryptedText("export_job.secret"))

    user: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        if self.state == DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def is_pending(self) -> bool:
        return self.state in (QUEUED, RUNNING)

    def journal_details(self) -> dict:
        return {"kind": self.kind, "format": self.fmt, "rows": self.rows_total}
