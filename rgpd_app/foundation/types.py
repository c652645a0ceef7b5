"""Column types: instants are stored in UTC and always come back aware; EncryptedText is
stored as AES-256-GCM tokens and read back as plain text."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Text
from sqlalchemy.types import TypeDecorator

from rgpd_app.foundation.keyring import field_keyring


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite drops the offset, so we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored in an *_at column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class EncryptedText(TypeDecorator):
    """Text sealed with the field key ring; `context` ("table.column") is authenticated data,
    so a token copied into another column does not decrypt. Equality queries cannot match."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    @property
    def aad(self) -> bytes:
        return self.context.encode("utf-8")

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return field_keyring().encrypt(str(value), self.aad)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return field_keyring().decrypt(value, self.aad)
