"""The journal's SHA-256 chain (DESIGN.md §4). Pure: rows come in as plain dicts."""

import hashlib
import json
from collections.abc import Iterable

GENESIS = "0" * 64
FIELDS = (
    "id", "at", "user_id", "user_email", "organisation_id", "action",
    "object_type", "object_id", "ip", "user_agent", "details",
)  # fmt: skip


def canonical(row: dict) -> bytes:
    """One row as canonical JSON (sorted keys, ISO instants) — what the hash covers."""
    return json.dumps({k: row[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False).encode()


def row_hash(row: dict) -> str:
    """SHA-256 of one row's canonical form, kept beside the row to name a changed row."""
    return hashlib.sha256(canonical(row)).hexdigest()


def rows_digest(row_hashes: Iterable[str]) -> tuple[str, int]:
    """SHA-256 over the rows' hashes in id order, and how many rows it covered."""
    digest = hashlib.sha256()
    count = 0
    for value in row_hashes:
        digest.update(bytes.fromhex(value))
        count += 1
    return digest.hexdigest(), count


def seal_hash(previous_hash: str, digest: str, first_id: int, last_id: int, count: int) -> str:
    """Hash of one seal: binds the previous seal, the rows' digest and the covered range."""
    material = f"{previous_hash}|{digest}|{first_id}|{last_id}|{count}".encode()
    return hashlib.sha256(material).hexdigest()
