"""Audit files on disk: named by the server, never by the uploader, with their SHA-256."""

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from rgpd_app import files
from rgpd_app.audits.models import DOCUMENT_KINDS, AuditDocument, AuditRequest
from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.files import Upload
from rgpd_app.foundation.actor import Actor

MAX_FILE_BYTES = 50 * 1024 * 1024


def check_upload(upload: Upload | None, field: str) -> list[str]:
    if upload is None or not upload.filename:
        return ["Joignez le fichier."]
    problem = files.size_problem(upload, MAX_FILE_BYTES)
    return [problem] if problem else []


def require_upload(upload: Upload | None, field: str) -> Upload:
    problems = check_upload(upload, field)
    if problems:
        raise ValidationFailed({field: problems})
    assert upload is not None
    return upload


def _directory(audit_id: int) -> Path:
    return files.folder("audits", str(audit_id))


def path_of(document: AuditDocument) -> Path:
    return _directory(document.audit_id) / document.storage_name


def store(
    item: AuditRequest, upload: Upload, *, kind: str, actor: Actor | None, now: datetime
) -> AuditDocument:
    """Write the file and add its row (uncommitted); the caller's commit records it."""
    assert kind in DOCUMENT_KINDS
    if item.id is None:
        db.session.flush()
    stored = files.save(upload, _directory(item.id))
    document = AuditDocument(
        audit=item,
        kind=kind,
        **asdict(stored),
        uploaded_by_id=actor.id if actor else None,
        uploaded_at=now,
    )
    db.session.add(document)
    return document
