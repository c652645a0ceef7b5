from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rgpd_app.dbtypes import UTCDateTime
from rgpd_app.extensions import db


class JournalEntry(db.Model):
    """One traced event. Append-only: `row_hash` and `seal_id` are set once, by the sealer."""

    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    user_email: Mapped[str] = mapped_column(String(254), default="")
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[str] = mapped_column(String(60), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    row_hash: Mapped[str | None] = mapped_column(String(64))
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_seal.id"), index=True)


class JournalSeal(db.Model):
    """A link of the SHA-256 chain: covers the rows sealed with it and the previous seal's hash."""

    __tablename__ = "journal_seal"

    id: Mapped[int] = mapped_column(primary_key=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_entry_id: Mapped[int]
    last_entry_id: Mapped[int]
    entry_count: Mapped[int]
    rows_digest: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Ed25519 signature (base64) of the seal's place and hash, by the instance key `key_id`.
    key_id: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(128))
