"""EncryptedText: a column stored as AES-256-GCM tokens, read back as plain text."""

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from rgpd_app.crypto.keyring import field_keyring


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
