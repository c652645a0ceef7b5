"""`flask rgpd backup` and `restore`: the database, the storage root and the instance secrets in
one AES-256 zip (encryption/) with a manifest of SHA-256s.

The database is copied while the service runs: PostgreSQL by `pg_dump --format=custom` (one
consistent snapshot), SQLite by its online backup API. The secrets are what every host shares
(docs: README, "Several machines"): the session key, the field-encryption keys, the evidence
signing keys and the journal's local anchor. A restore checks the whole archive (MACs, then
every SHA-256 of the manifest) before it touches anything, and only goes into an empty
database and an empty storage root.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from encryption import ArchiveError, Limits, extract_archive, verify_archive, write_encrypted_zip
from rgpd_app.extensions import db
from rgpd_app.files import FILE_MODE, file_digest, new_private_file, private_folder, write_private
from rgpd_app.foundation.journal import record
from rgpd_app.journal import integrity
from rgpd_app.operations import status

FORMAT = "rgpd_app-backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database/rgpd.pgdump"
SQLITE_COPY = "database/rgpd.sqlite3"
# A backup holds one database and a storage root of any size (deposits: up to 2 GB each).
LIMITS = Limits(max_entries=1_000_000, max_total_size=1 << 42)


class BackupRefused(Exception):
    """A backup or restore that cannot go on; the message is French and says why."""


@dataclass(frozen=True)
class Restored:
    archive: str
    created_at: str
    revision: str | None
    files: int


def secret_sources(app=None) -> dict[str, bytes]:
    """The instance secrets every host must hold identical, by entry name (absent ones left out)."""
    app = app or current_app
    found = {"secrets/secret_key": app.config["SECRET_KEY"].encode()}
    if app.config.get("FIELD_KEYS"):
        found["secrets/field_keys.json"] = app.config["FIELD_KEYS"].encode()
    for name, path in _secret_files(app).items():
        if name not in found and path.is_file():
            found[name] = path.read_bytes()
    return found


def _secret_files(app) -> dict[str, Path]:
    return {
        "secrets/secret_key": Path(app.instance_path) / "secret_key",
        "secrets/field_keys.json": Path(app.config["FIELD_KEYS_FILE"]),
        "secrets/signing-keys.json": Path(app.config["SIGNING_KEYS_FILE"]),
        "secrets/journal-anchor.json": integrity.anchor_path(),
    }


def _app_version() -> str:
    try:
        return version("rgpd_app")
    except PackageNotFoundError:
        return "unknown"


def _postgres_tool(name: str) -> str:
    """The newest pg_dump/pg_restore: Debian keeps each major version under /usr/lib/postgresql
    (a pg_dump older than the server refuses to dump it)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    found = str(candidates[-1]) if candidates else shutil.which(name)
    if not found:
        raise BackupRefused(f"{name} introuvable : installez postgresql-client.")
    return found


def _libpq_url() -> str:
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupRefused(f"{Path(command[0]).name} a échoué : {done.stderr.strip()[-800:]}")


def _sqlite_path() -> Path:
    return Path(make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database)


def _copy_database(target: Path) -> str:
    """The database into `target`'s folder while the service runs; returns its entry name."""
    if db.engine.dialect.name == "postgresql":
        dump = target / "rgpd.pgdump"
        _run([_postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(dump), _libpq_url()])  # fmt: skip
        return PG_DUMP
    copy = target / "rgpd.sqlite3"
    with new_private_file(copy):
        pass
    source = sqlite3.connect(_sqlite_path())
    try:
        with sqlite3.connect(copy) as destination:
            source.backup(destination)  # pages copied under SQLite's own locks: writers go on
        destination.close()
    finally:
        source.close()
    return SQLITE_COPY


def _storage_files(root: Path):
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(".ready-"):
            yield path, "storage/" + path.relative_to(root).as_posix()


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return status.current_revision(connection)


def create_backup(directory: Path, password: str, *, now: datetime) -> Path:
    """Write `rgpd-backup-<instant>.zip` into `directory` and return its path."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BackupRefused(f"Dossier introuvable : {directory}.")
    revision = _revision()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as spool:
        spool_path = Path(spool)
        db_entry = _copy_database(spool_path)
        sources = [(spool_path / Path(db_entry).name, db_entry)]
        for name, content in secret_sources().items():
            path = spool_path / name.replace("/", "_")
            write_private(path, content)
            sources.append((path, name))
        sources.extend(_storage_files(Path(current_app.config["STORAGE_ROOT"])))
        files = {}
        for path, name in sources:
            digest, size = file_digest(path)
            files[name] = {"sha256": digest, "size": size}
        manifest = {
            "format": FORMAT,
            "app_version": _app_version(),
            "alembic_revision": revision,
            "database": db.engine.dialect.name,
            "created_at": now.isoformat(),
            "files": files,
        }
        manifest_path = spool_path / MANIFEST
        write_private(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
        archive = directory / f"rgpd-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.zip"
        write_encrypted_zip(archive, [(manifest_path, MANIFEST), *sources], password)
    os.chmod(archive, FILE_MODE)
    digest, size = file_digest(archive)
    # After the copy, so in the live journal (the next seal covers it), not in the archive.
    record(
        "backup.created",
        now=now,
        object_type="backup",
        object_id=archive.name,
        details={"sha256": digest, "size": size, "files": len(files), "revision": revision},
    )
    db.session.commit()
    return archive


# --- Restore ------------------------------------------------------------------------------------


def _checked_manifest(folder: Path) -> dict:
    """The manifest, once every file it lists is there with its SHA-256 and nothing else is."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BackupRefused(f"Manifeste absent ou illisible : {err}.") from None
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"Format de sauvegarde inconnu : {manifest.get('format')!r}.")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    listed = set(manifest["files"])
    if present != listed:
        odd = sorted(present ^ listed)[:5]
        raise BackupRefused(f"L'archive ne correspond pas à son manifeste : {', '.join(odd)}.")
    for name, expected in sorted(manifest["files"].items()):
        digest, size = file_digest(folder / name)
        if (digest, size) != (expected["sha256"], expected["size"]):
            raise BackupRefused(f"Empreinte SHA-256 différente du manifeste : {name}.")
    return manifest


def database_contents() -> list[tuple[str, int]]:
    """(table, rows) of every table already in the target database, fullest first."""
    names = inspect(db.engine).get_table_names()
    with db.engine.connect() as connection:
        counts = [
            (name, connection.execute(select(func.count()).select_from(table(name))).scalar())
            for name in names
        ]
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def _refuse_if_not_empty(folder: Path, manifest: dict) -> None:
    if manifest["database"] != db.engine.dialect.name:
        raise BackupRefused(
            f"Sauvegarde d'une base {manifest['database']}, base cible {db.engine.dialect.name}."
        )
    found = database_contents()
    if found:
        listed = ", ".join(f"{name} ({rows} ligne(s))" for name, rows in found[:8])
        more = f" et {len(found) - 8} autre(s)" if len(found) > 8 else ""
        raise BackupRefused(
            f"Restauration refusée : la base cible n'est pas vide, elle contient {len(found)} "
            f"table(s) : {listed}{more}. Restaurez dans une base neuve."
        )
    root = Path(current_app.config["STORAGE_ROOT"])
    stored = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    if stored:
        raise BackupRefused(
            f"Restauration refusée : le stockage {root} n'est pas vide "
            f"({len(stored)} fichier(s), dont {stored[0].relative_to(root)})."
        )
    if current_app.config.get("FIELD_KEYS"):
        saved = folder / "secrets/field_keys.json"
        if saved.is_file() and saved.read_bytes() != current_app.config["FIELD_KEYS"].encode():
            raise BackupRefused(
                "RGPD_FIELD_KEYS ne contient pas les clés de la sauvegarde : donnez-lui le "
                "contenu de secrets/field_keys.json de l'archive."
            )


def _restore_database(folder: Path, manifest: dict) -> None:
    if manifest["database"] == "postgresql":
        _run([_postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", "--dbname", _libpq_url(), str(folder / PG_DUMP)])  # fmt: skip
        return
    db.session.remove()
    db.engine.dispose()
    source = sqlite3.connect(folder / SQLITE_COPY)
    try:
        with sqlite3.connect(_sqlite_path()) as destination:
            source.backup(destination)
        destination.close()
    finally:
        source.close()


def _restore_files(folder: Path, manifest: dict) -> int:
    root = Path(current_app.config["STORAGE_ROOT"])
    count = 0
    for name in sorted(manifest["files"]):
        if name.startswith("storage/"):
            target = root / name[len("storage/") :]
            private_folder(target.parent)
            shutil.copyfile(folder / name, _fresh(target))
            count += 1
    for name, path in _secret_files(current_app).items():
        saved = folder / name
        in_env = name == "secrets/field_keys.json" and current_app.config.get("FIELD_KEYS")
        if not saved.is_file() or in_env:
            continue
        if path.is_file() and path.read_bytes() == saved.read_bytes():
            continue
        if path.exists():  # generated at this instance's first start: kept aside, not lost
            path.replace(path.with_name(f"{path.name}.before-restore"))
        private_folder(path.parent)
        shutil.copyfile(saved, _fresh(path))
    current_app.extensions.pop("rgpd_field_keys", None)  # the key ring re-reads its file
    return count


def _fresh(path: Path) -> Path:
    """`path` created empty and 0600, for shutil.copyfile to fill."""
    write_private(path, b"")
    return path


def restore_backup(archive: Path, password: str, *, now: datetime) -> Restored:
    """Check the archive, then restore the database, the storage root and the secrets."""
    archive = Path(archive)
    instance = Path(current_app.instance_path)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".restore-") as spool:
        folder = Path(spool) / "archive"
        try:
            verify_archive(archive, password, limits=LIMITS)  # every MAC, before extracting
            extract_archive(archive, folder, password, limits=LIMITS)
        except ArchiveError as err:
            raise BackupRefused(f"Archive refusée ({err.code}) : {err}") from None
        manifest = _checked_manifest(folder)
        _refuse_if_not_empty(folder, manifest)
        _restore_database(folder, manifest)
        files = _restore_files(folder, manifest)
    record(
        "backup.restored",
        now=now,
        object_type="backup",
        object_id=archive.name,
        details={"created_at": manifest["created_at"], "files": files},
    )
    db.session.commit()
    return Restored(archive.name, manifest["created_at"], manifest["alembic_revision"], files)
