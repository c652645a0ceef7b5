"""Uploaded files on disk: under the storage root, named by the server, with their SHA-256."""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app


@dataclass(frozen=True)
class Upload:
    """A received file: its name as the uploader gave it, its bytes and declared type."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    storage_name: str  # a random name chosen by the server
    original_filename: str  # metadata only, never used as a path
    content_type: str
    sha256: str
    size: int


def folder(*parts: str) -> Path:
    """A folder under the storage root (outside the web root)."""
    return Path(current_app.config["STORAGE_ROOT"]).joinpath(*parts)


def size_problem(upload: Upload, max_bytes: int) -> str | None:
    """French reason why an upload is refused for its size, or None."""
    if not upload.content:
        return f"Le fichier « {upload.filename} » est vide."
    if len(upload.content) > max_bytes:
        return f"Le fichier « {upload.filename} » dépasse {max_bytes // (1024 * 1024)} Mo."
    return None


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size) of a file on disk, read in chunks (memory stays flat)."""
    with Path(path).open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return digest.hexdigest(), handle.tell()


def save(upload: Upload, directory: Path) -> StoredFile:
    """Write the bytes under a server-chosen name and describe what was stored."""
    directory.mkdir(parents=True, exist_ok=True)
    storage_name = uuid.uuid4().hex
    (directory / storage_name).write_bytes(upload.content)
    return StoredFile(
        storage_name=storage_name,
        original_filename=Path(upload.filename.replace("\\", "/")).name[:255] or "fichier",
        content_type=(upload.content_type or "application/octet-stream")[:100],
        sha256=hashlib.sha256(upload.content).hexdigest(),
        size=len(upload.content),
    )
