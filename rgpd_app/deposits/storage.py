"""Deposit files on disk, under STORAGE_ROOT/deposits, named by the server (uuid)."""

import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from rgpd_app.deposits.rules import QUARANTINED
from rgpd_app.files import private_folder


@dataclass(frozen=True)
class IncomingFile:
    """A file received in a temporary place; the service moves it into storage or deletes it."""

    path: Path
    filename: str  # as the sender named it: metadata only, never a path on our side


def root() -> Path:
    return Path(current_app.config["STORAGE_ROOT"]) / "deposits"


def incoming_dir() -> Path:
    """Temporary files (uploads being received, downloads in progress): same disk as storage."""
    return private_folder(root() / "incoming")


def new_temporary() -> Path:
    """A new empty file, 0600 (mkstemp's mode), for a download in progress."""
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
    private_folder(target.parent)
    source.chmod(0o600)  # before the rename: never visible to others under its final name
    os.replace(source, target)
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
