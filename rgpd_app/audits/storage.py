"""Audit files on disk: named by the server, never by the uploader, with their SHA-256."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from rgpd_app.audits.models import DOCUMENT_KINDS, AuditDocument, AuditRequest
from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.tenancy import Actor

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """A received file: its name as the uploader gave it, its bytes and declared type."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def check_upload(upload: Upload | None, field: str) -> list[str]:
    if upload is None or not upload.filename:
        return ["Joignez le fichier."]
    if not upload.content:
        return ["Le fichier est vide."]
    if len(upload.content) > MAX_FILE_BYTES:
        return [f"Le fichier dépasse {MAX_FILE_BYTES // (1024 * 1024)} Mo."]
    return []


def require_upload(upload: Upload | None, field: str) -> Upload:
    problems = check_upload(upload, field)
    if problems:
        raise ValidationFailed({field: problems})
    assert upload is not None
    return upload


def _directory(audit_id: int) -> Path:
    return Path(current_app.config["STORAGE_ROOT"]) / "audits" / str(audit_id)


def path_of(document: AuditDocument) -> Path:
    return _directory(document.audit_id) / document.storage_name


def store(
    item: AuditRequest, upload: Upload, *, kind: str, actor: Actor | None, now: datetime
) -> AuditDocument:
    """Write the file and add its row (uncommitted); the caller's commit records it."""
    assert kind in DOCUMENT_KINDS
    if item.id is None:
        db.session.flush()
    directory = _directory(item.id)
    directory.mkdir(parents=True, exist_ok=True)
    storage_name = uuid.uuid4().hex
    (directory / storage_name).write_bytes(upload.content)
    original = Path(upload.filename.replace("\\", "/")).name[:255] or "fichier"
    document = AuditDocument(
        audit=item,
        kind=kind,
        original_filename=original,
        storage_name=storage_name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        sha256=hashlib.sha256(upload.content).hexdigest(),
        size=len(upload.content),
        uploaded_by_id=actor.id if actor else None,
        uploaded_at=now,
    )
    db.session.add(document)
    return document
