"""Files on disk: owner-only from their creation, and uploads served back as plain downloads.

Uploads live under the storage root, named by the server, with their SHA-256. Every file the
application writes holds personal data, so it is created 0600 and its folders 0700 (ASVS 5.0
V14.2): the mode is given to `open(2)` / `mkdir(2)`, never fixed afterwards by a `chmod` that
would leave a moment when others could open it.
"""

import hashlib
import os
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from flask import current_app, send_file

FILE_MODE = 0o600
FOLDER_MODE = 0o700
DOWNLOAD_TYPE = "application/octet-stream"


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
    content_type: str  # as declared by the uploader: metadata only, never sent back as such
    sha256: str
    size: int


def folder(*parts: str) -> Path:
    """A folder under the storage root (outside the web root)."""
    return Path(current_app.config["STORAGE_ROOT"]).joinpath(*parts)


def private_folder(path: Path) -> Path:
    """`path`, with itself and each missing parent created 0700; existing folders are kept."""
    missing = []
    for candidate in [Path(path), *Path(path).parents]:
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            candidate.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(candidate, FOLDER_MODE)  # a umask can only have removed bits: put back rwx
    return Path(path)


@contextmanager
def new_private_file(path: Path) -> Iterator[BinaryIO]:
    """A new file opened for writing, 0600 from its creation; refused if `path` exists."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        yield handle


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to a new 0600 file at `path`."""
    with new_private_file(path) as handle:
        handle.write(content)


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
    private_folder(directory)
    storage_name = uuid.uuid4().hex
    write_private(directory / storage_name, upload.content)
    return StoredFile(
        storage_name=storage_name,
        original_filename=Path(upload.filename.replace("\\", "/")).name[:255] or "fichier",
        content_type=(upload.content_type or "application/octet-stream")[:100],
        sha256=hashlib.sha256(upload.content).hexdigest(),
        size=len(upload.content),
    )


def content_disposition(name: str, fallback: str = "export") -> str:
    """`attachment` with an ASCII `filename` and the exact UTF-8 name in `filename*` (RFC 6266)."""
    name = "".join(c for c in name if c.isprintable() and c not in "/\\") or fallback
    ascii_name = "".join(
        c if c.isalnum() or c in "._- ()" else "_"
        for c in unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(path: Path, filename: str, *, mimetype: str = DOWNLOAD_TYPE):
    """A stored file as a download that no browser renders (ASVS 5.0 V5.4.1, V3.2.1).

    Uploaded files are sent as `application/octet-stream` whatever type their uploader
    declared (an HTML or SVG file would otherwise run in our origin), with
    `Content-Disposition: attachment` and `nosniff`; server-built files may name their type.
    """
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name="fichier")
    response.headers["Content-Disposition"] = content_disposition(filename, fallback="fichier")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
