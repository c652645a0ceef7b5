"""Instruction files: STORAGE_ROOT/instructions/<uuid>, named by the server, with their SHA-256."""

from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from rgpd_app import files
from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.files import Upload
from rgpd_app.instructions.models import ATTACHMENT, Instruction, InstructionAttachment

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10


def check_uploads(uploads: list[Upload], field: str = "attachments") -> None:
    problems = []
    if len(uploads) > MAX_FILES:
        problems.append(f"Au plus {MAX_FILES} pièces jointes.")
    problems += [p for p in (files.size_problem(u, MAX_FILE_BYTES) for u in uploads) if p]
    if problems:
        raise ValidationFailed({field: problems})


def _directory() -> Path:
    return files.folder("instructions")


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
    stored = files.save(upload, _directory())
    attachment = InstructionAttachment(
        instruction=item, kind=kind, **asdict(stored), uploaded_by_id=user_id, uploaded_at=now
    )
    db.session.add(attachment)
    return attachment
