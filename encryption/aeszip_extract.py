"""Extracting an AES-256 zip into a folder, all or nothing (APPNOTE.TXT 4.3; WinZip AE-x spec)."""

import contextlib
import os
import tempfile
from pathlib import Path

from .aeszip_read import (
    DEFAULT_LIMITS,
    ArchiveEntry,
    InflateBudget,
    Limits,
    inspect_archive,
    stream_entry,
)
from .errors import TargetExists, UnsafePath


def extract_archive(
    path: str | os.PathLike,
    target_dir: str | os.PathLike,
    password: str,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Path]:
    """Extract every entry under `target_dir`; on any refusal leave the folder as it was."""
    entries = inspect_archive(path, limits)
    target = Path(target_dir)
    destinations = [_destination(target, entry) for entry in entries]
    for entry, destination in zip(entries, destinations, strict=True):
        if destination.exists() and not (entry.is_dir and destination.is_dir()):
            raise TargetExists(
                f"« {entry.name} » existe déjà dans le dossier de destination.", entry=entry.name
            )
    created: list[Path] = []
    try:
        _make_dirs(target, created)
        budget = InflateBudget()
        with open(path, "rb") as archive:
            for entry, destination in zip(entries, destinations, strict=True):
                if entry.is_dir:
                    _make_dirs(destination, created)
                    continue
                _make_dirs(destination.parent, created)
                _extract_one(archive, entry, destination, password, limits, budget, created)
    except BaseException:
        _undo(created)
        raise
    return [
        destination
        for entry, destination in zip(entries, destinations, strict=True)
        if not entry.is_dir
    ]


def _destination(target: Path, entry: ArchiveEntry) -> Path:
    """Where an entry goes, checked once more to stay under `target` (zip slip)."""
    destination = target.joinpath(*entry.name.rstrip("/").split("/"))
    root = target.resolve()
    if not destination.resolve().is_relative_to(root):
        raise UnsafePath(
            f"L'entrée « {entry.name} » sortirait du dossier de destination.", entry=entry.name
        )
    return destination


def _extract_one(archive, entry, destination, password, limits, budget, created) -> None:
    """Write to a temporary file beside the destination; rename once the MAC has checked."""
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".extract-", suffix=".part")
    created.append(Path(temporary))
    with os.fdopen(handle, "wb") as out:
        for piece in stream_entry(archive, entry, password, limits, budget):
            out.write(piece)
    if destination.exists():
        raise TargetExists(
            f"« {entry.name} » existe déjà dans le dossier de destination.", entry=entry.name
        )
    os.rename(temporary, destination)
    created[-1] = destination


def _make_dirs(directory: Path, created: list[Path]) -> None:
    """Create `directory` and its missing parents, remembering them for `_undo`."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        folder.mkdir()
        created.append(folder)


def _undo(created: list[Path]) -> None:
    """Remove what this extraction created, newest first."""
    for item in reversed(created):
        with contextlib.suppress(OSError):
            if item.is_dir() and not item.is_symlink():
                item.rmdir()
            else:
                item.unlink()
