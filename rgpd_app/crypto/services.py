"""Key rotation, re-encryption of every EncryptedText column in batches, recovery copies."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Text, select, type_coerce, update

from encryption import FieldCryptoError, KeyRing, export_recovery
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.keyring import field_keyring, save_keyring
from rgpd_app.foundation.types import EncryptedText

log = logging.getLogger("rgpd_app.crypto")

TOKEN_PREFIX = "v1:"
DEFAULT_BATCH = 500


@dataclass
class ReencryptReport:
    """What a pass changed: rows re-sealed, legacy plain values sealed, unreadable tokens."""

    columns: list[str] = field(default_factory=list)
    reencrypted: int = 0
    sealed_plain: int = 0
    batches: int = 0
    unreadable: list[str] = field(default_factory=list)


def encrypted_columns() -> list[tuple]:
    """(table, column) of every EncryptedText column in the metadata."""
    return [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText)
    ]


def reencrypt_all(
    *,
    now: datetime,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> ReencryptReport:
    """Seal with the primary key every value sealed with another key (or legacy plain text).

    Batches of `batch_size` rows, one commit each, so the service keeps running; a row changed
    by someone else meanwhile is left as they wrote it (its value was sealed with the new key).
    """
    report = ReencryptReport()
    for table, column in encrypted_columns():
        report.columns.append(f"{table.name}.{column.name}")
        _reencrypt_column(table, column, batch_size, report, progress)
    record(
        "keys.reencrypted",
        now=now,
        details={
            "columns": report.columns,
            "reencrypted": report.reencrypted,
            "sealed_plain": report.sealed_plain,
            "unreadable": len(report.unreadable),
        },
    )
    db.session.commit()
    return report


def _reencrypt_column(table, column, batch_size, report, progress) -> None:
    (key,) = table.primary_key.columns
    raw = type_coerce(column, Text)
    aad = column.type.aad
    last = None
    while True:
        stmt = select(key, raw).where(column.is_not(None)).order_by(key).limit(batch_size)
        if last is not None:
            stmt = stmt.where(key > last)
        rows = db.session.execute(stmt).all()
        if not rows:
            return
        ring = field_keyring()  # re-read: another rotation may have happened meanwhile
        for row_id, value in rows:
            sealed = _sealed_again(ring, value, aad, f"{table.name}.{column.name}#{row_id}", report)
            if sealed is not None:
                db.session.execute(
                    update(table)
                    .where(key == row_id, raw == value)
                    .values({column.name: type_coerce(sealed, Text)})
                )
        db.session.commit()
        report.batches += 1
        last = rows[-1][0]
        if progress:
            progress(f"{table.name}.{column.name}", len(rows))


def _sealed_again(ring: KeyRing, value: str, aad: bytes, where: str, report) -> str | None:
    if not value.startswith(TOKEN_PREFIX):
        report.sealed_plain += 1  # written before the column was encrypted
        return ring.encrypt(value, aad)
    try:
        if not ring.needs_reencryption(value):
            return None
        sealed = ring.reencrypt(value, aad)
    except FieldCryptoError as error:
        log.error("cannot re-encrypt %s: %s", where, error)
        report.unreadable.append(where)
        return None
    report.reencrypted += 1
    return sealed


def rotate_keys(
    *,
    now: datetime,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> tuple[str, ReencryptReport]:
    """Add a key, make it primary (saved before anything is re-encrypted), then re-encrypt."""
    ring = field_keyring()
    ring = KeyRing.from_json(ring.to_json())  # never mutate the cached ring in place
    kid = ring.rotate()
    save_keyring(ring)
    record("keys.rotated", now=now, details={"primary": kid, "keys": ring.kids})
    db.session.commit()
    return kid, reencrypt_all(now=now, batch_size=batch_size, progress=progress)


def recovery_export(public_pem: bytes, *, now: datetime) -> str:
    """Every key wrapped for the offline recovery key (JSON); the export is journaled."""
    ring = field_keyring()
    text = export_recovery(ring, public_pem)
    record("keys.recovery_exported", now=now, details={"keys": ring.kids})
    db.session.commit()
    return text
