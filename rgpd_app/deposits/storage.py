"""Deposit files on disk, under STORAGE_ROOT/deposits, named by the server (uuid)."""

import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from rgpd_app.deposits.rules import QUARANTINED


@dataclass(frozen=True)
class IncomingFile:
    """A file received in a temporary place; the service moves it into storage or deletes it."""

    path: Path
    filename: str  # as the sender named it: metadata only, never a path on our side


def root() -> Path:
    return Path(current_app.config["STORAGE_ROOT"]) / "deposits"


def incoming_dir() -> Path:
    """Temporary files (uploads being received, downloads in progress): same disk as storage."""
    folder = root() / "incoming"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def new_temporary() -> Path:
    handle, name = tempfile.mkstemp(dir=incoming_dir(), prefix="tmp-", suffix=".part")
    os.close(handle)
    return Path(name)


def new_stored_name() -> str:
    return uuid.uuid4().hex


def path_of(deposit) -> Path:
    folder = root() / "quarantine" if deposit.state == QUARANTINED else root()
    return folder / deposit.stored_name


def place(source: Path, deposit) -> Path:
    """Move `source` to where `deposit` is kept (a rename: same file system, no copy)."""
    target = path_of(deposit)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.replace(source, target)
    target.chmod(0o600)
    return target


def remove(path: Path) -> bool:
    """Delete a file; False when it was already gone."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def original_name(filename: str) -> str:
    """The sender's file name as metadata: last path component, 255 characters at most."""
    return Path((filename or "").replace("\\", "/")).name[:255]


def certificate_path(name: str) -> Path:
    return root() / "certificates" / name
