"""Import files waiting for confirmation: STORAGE_ROOT/register_imports/<id>.<format>, named by
the server, with a small JSON of who uploaded it, for which municipality, and when.

The confirmation claims the file with a rename (atomic), so two confirmations of the same upload
cannot both import it. A file not confirmed within `MAX_AGE` is refused, then purged by the worker.
"""

import json
import os
import re
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from rgpd_app.errors import NotFound, ValidationFailed
from rgpd_app.messages import N_

MAX_AGE = timedelta(hours=24)
MAX_BYTES = 20 * 1024 * 1024
_ID = re.compile(r"^[0-9a-f]{32}$")


def _root() -> Path:
    root = Path(current_app.config["STORAGE_ROOT"]) / "register_imports"
    root.mkdir(parents=True, exist_ok=True)
    return root


def save(stream, *, fmt: str, meta: dict) -> tuple[str, Path]:
    """Copy the upload to storage (refused past REGISTER_IMPORT_MAX_BYTES); its id and path."""
    limit = current_app.config.get("REGISTER_IMPORT_MAX_BYTES", MAX_BYTES)
    upload_id = uuid.uuid4().hex
    path = _root() / f"{upload_id}.{fmt}"
    size = 0
    with open(path, "wb") as out:
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink()
                raise ValidationFailed(
                    {
                        "file": [
                            N_(
                                "Fichier trop gros (au plus %(megabytes)s Mo).",
                                megabytes=limit // (1024 * 1024),
                            )
                        ]
                    }
                )
            out.write(chunk)
    (_root() / f"{upload_id}.json").write_text(json.dumps(meta | {"format": fmt}))
    return upload_id, path


def pending(upload_id: str, *, user_id: int, now: datetime) -> tuple[Path, dict]:
    """The waiting file and its metadata; 404 unless it is the user's own and recent."""
    if not isinstance(upload_id, str) or not _ID.match(upload_id):
        raise NotFound(N_("Import introuvable ou déjà confirmé."))
    try:
        meta = json.loads((_root() / f"{upload_id}.json").read_text())
    except (OSError, ValueError) as err:
        raise NotFound(N_("Import introuvable ou déjà confirmé.")) from err
    path = _root() / f"{upload_id}.{meta['format']}"
    if meta["user_id"] != user_id or not path.exists():
        raise NotFound(N_("Import introuvable ou déjà confirmé."))
    if now - datetime.fromisoformat(meta["uploaded_at"]) > MAX_AGE:
        discard(upload_id)
        raise NotFound(N_("Cet import a expiré : déposez le fichier à nouveau."))
    return path, meta


def claim(path: Path) -> Path:
    """Take the file for the confirmation (rename); 404 if another confirmation took it."""
    taken = path.with_name(f"{path.stem}.taken-{uuid.uuid4().hex[:8]}{path.suffix}")
    try:
        os.rename(path, taken)
    except FileNotFoundError as err:
        raise NotFound(N_("Import introuvable ou déjà confirmé.")) from err
    return taken


def release(taken: Path, path: Path) -> None:
    """Give the file back after a failed confirmation, so it can be confirmed again."""
    shutil.move(taken, path)


def discard(upload_id: str, taken: Path | None = None) -> None:
    for name in (f"{upload_id}.json", *(p.name for p in _root().glob(f"{upload_id}.*"))):
        (_root() / name).unlink(missing_ok=True)
    if taken is not None:
        taken.unlink(missing_ok=True)


def purge(now: datetime) -> int:
    """Delete import files older than MAX_AGE (they hold personal data); idempotent."""
    removed = 0
    for meta_path in _root().glob("*.json"):
        try:
            uploaded = datetime.fromisoformat(json.loads(meta_path.read_text())["uploaded_at"])
        except (OSError, ValueError, KeyError):
            continue
        if now - uploaded > MAX_AGE:
            discard(meta_path.stem)
            removed += 1
    return removed
