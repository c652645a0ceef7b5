"""Build one evidence pack: the controller's files, their manifest signed with Ed25519, the
checksum list and the instructions for checking all of it with standard tools, in one AES-256
zip (our writer). For the same data, period and key the files and the manifest's bytes are the
same but for the building time (and the zip's random salts)."""

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

from encryption import AesZipWriter
from rgpd_app.evidence.contents import Scope, files
from rgpd_app.evidence.rules import (
    FORMAT,
    MANIFEST,
    SIGNATURE,
    SUMS,
    TMP,
    manifest_bytes,
    readme_en,
    readme_fr,
    sums_bytes,
)
from rgpd_app.extensions import db
from rgpd_app.files import file_digest, folder, private_folder
from rgpd_app.foundation import signing
from rgpd_app.organisations.models import Organisation

PUBLIC_KEY = "signing-key.pem"


@dataclass(frozen=True)
class Built:
    sha256: str  # of the zip
    size: int
    manifest: dict
    files: int


def _software() -> dict:
    try:
        return {"name": "rgpd_app", "version": version("rgpd_app")}
    except PackageNotFoundError:  # a source checkout that was not installed
        return {"name": "rgpd_app", "version": "unknown"}


def build(
    scope: Scope,
    out: BinaryIO,
    *,
    password: str,
    now: datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> dict:
    """Write the pack for `scope` to `out` (a seekable binary file); returns its manifest."""
    kid, _key = signing.active_key(now)
    public_pem = next(k.pem for k in signing.published(now) if k.kid == kid)
    processor = db.session.scalar(select_processor())
    facts = {
        "controller": {"name": scope.controller.name, "siren": scope.controller.siren},
        "processor": {"name": processor.name, "siren": processor.siren} if processor else None,
        "period": {"from": scope.start.isoformat(), "to": scope.end.isoformat()},
    }
    # Large parts (the journal) go through files of a private temporary folder on the storage
    # disk, never whole in memory; the folder goes when the pack is written.
    with tempfile.TemporaryDirectory(dir=private_folder(folder(TMP))) as spool:
        data = files(scope, Path(spool), progress)
        data += [
            ("LISEZMOI.txt", readme_fr(facts, kid).encode()),
            ("README.txt", readme_en(facts, kid).encode()),
            (PUBLIC_KEY, public_pem.encode()),
        ]
        digests = {path: _digest(content) for path, content in data}
        sums = sums_bytes({p: sha for p, (sha, _size) in digests.items()})
        digests[SUMS] = _digest(sums)
        listed = sorted([*data, (SUMS, sums)])
        manifest = {
            "format": FORMAT,
            **facts,
            "built_at": now.isoformat(),
            "software": _software(),
            "key_id": kid,
            "files": [
                {"path": p, "size": digests[p][1], "sha256": digests[p][0]} for p, _ in listed
            ],
        }
        body = manifest_bytes(manifest)
        _kid, signature = signing.sign(body, now=now)
        with AesZipWriter(out, password) as writer:
            for name, content in listed:
                if isinstance(content, Path):
                    writer.add_file(content, name)
                else:
                    writer.add_bytes(content, name)
            writer.add_bytes(body, MANIFEST)
            writer.add_bytes(signature, SIGNATURE)
    return json.loads(body)


def _digest(content: bytes | Path) -> tuple[str, int]:
    if isinstance(content, Path):
        return file_digest(content)
    return hashlib.sha256(content).hexdigest(), len(content)


def build_file(scope: Scope, path: Path, *, password: str, now: datetime, progress=None) -> Built:
    """`build` into `path`, created 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        manifest = build(scope, out, password=password, now=now,
                         progress=progress or (lambda done, total: None))  # fmt: skip
    digest, size = file_digest(path)
    return Built(digest, size, manifest, len(manifest["files"]) + 2)


def select_processor():
    from sqlalchemy import select

    return select(Organisation).where(Organisation.kind == "processor")
