from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from rgpd_app.extensions import db
from rgpd_app.foundation.types import UTCDateTime


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
