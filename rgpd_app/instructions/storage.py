"""Instruction files: STORAGE_ROOT/instructions/<uuid>, named by the server, with their SHA-256."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.instructions.models import ATTACHMENT, Instruction, InstructionAttachment

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10


@dataclass(frozen=True)
class Upload:
    """A received file: its name as the uploader gave it, its bytes and declared type."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


def check_uploads(uploads: list[Upload], field: str = "attachments") -> None:
    problems = []
    if len(uploads) > MAX_FILES:
        problems.append(f"Au plus {MAX_FILES} pièces jointes.")
    for upload in uploads:
        if not upload.content:
            problems.append(f"Le fichier « {upload.filename} » est vide.")
        elif len(upload.content) > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            problems.append(f"Le fichier « {upload.filename} » dépasse {limit} Mo.")
    if problems:
        raise ValidationFailed({field: problems})


def _directory() -> Path:
    return Path(current_app.config["STORAGE_ROOT"]) / "instructions"


def path_of(attachment: InstructionAttachment) -> Path:
    return _directory() / attachment.storage_name


def store(
    item: Instruction,
    upload: Upload,
    *,
    kind: str = ATTACHMENT,
    user_id: int | None,
    now: datetime,
) -> InstructionAttachment:
    """Write the file and add its row (uncommitted); the caller's commit records it."""
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    storage_name = uuid.uuid4().hex
    (directory / storage_name).write_bytes(upload.content)
    original = Path(upload.filename.replace("\\", "/")).name[:255] or "fichier"
    attachment = InstructionAttachment(
        instruction=item,
        kind=kind,
        original_filename=original,
        storage_name=storage_name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        sha256=hashlib.sha256(upload.content).hexdigest(),
        size=len(upload.content),
        uploaded_by_id=user_id,
        uploaded_at=now,
    )
    db.session.add(attachment)
    return attachment
