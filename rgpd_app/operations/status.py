"""The operational facts of one deployment, computed from the database and the storage root.

One function, `facts`, feeds `flask rgpd status`, `/metrics` and the tests. It reads counts,
states and instants only, never a person's data (no e-mail, subject, name or address), so the
answers it feeds can be shown to an operator or scraped by Prometheus.
"""

import os
import secrets
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from rgpd_app.exports.models import QUEUED, RUNNING, ExportJob
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.journal.models import JournalSeal
from rgpd_app.notifications.models import PENDING, STATES, OutboxMessage

# The key of the PostgreSQL advisory lock the active worker holds (scheduler.SingleWorkerLock);
# here, below the scheduler, so that the status can name its holder without importing the worker.
ADVISORY_LOCK_KEY = 0x52475044  # "RGPD"

_LOCK_HOLDER = text(
    "SELECT a.pid, a.application_name, host(a.client_addr), a.backend_start, a.query_start"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :k"
    " AND l.objsubid = 1"
)


@dataclass(frozen=True)
class Readiness:
    """Each check's outcome: "ok" or a short reason (no personal data)."""

    checks: dict[str, str]

    @property
    def ok(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


@dataclass(frozen=True)
class LockHolder:
    pid: int
    application_name: str
    client_addr: str
    backend_start: datetime | None
    last_query_at: datetime | None  # the holder asks for its lock at each tick and queue poll


@dataclass(frozen=True)
class Facts:
    checked_at: datetime
    host: str
    database: str
    readiness: Readiness
    migration: str | None
    migration_heads: tuple[str, ...]
    outbox: dict[str, int]
    outbox_oldest_pending_seconds: float | None
    exports: dict[str, int]
    exports_oldest_queued_seconds: float | None  # the worker's lag on long exports
    lock_holder: LockHolder | None  # PostgreSQL only (SQLite: one embedded worker, no lock)
    latest_seal_id: int | None
    latest_seal_seconds: float | None
    oldest_unsealed_seconds: float | None
    jobs: dict[str, dict[str, float]] = field(default_factory=dict)  # this host's worker

    def as_dict(self) -> dict:
        return _jsonable(asdict(self) | {"ready": self.readiness.ok})


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def migration_heads(app=None) -> tuple[str, ...]:
    """The heads of migrations/ (read once per process: they change only with a release)."""
    app = app or current_app
    cached = app.extensions.get("rgpd_migration_heads")
    if cached is None:
        from alembic.script import ScriptDirectory

        directory = app.extensions["migrate"].directory
        cached = tuple(sorted(ScriptDirectory(directory).get_heads()))
        app.extensions["rgpd_migration_heads"] = cached
    return cached


def current_revision(connection) -> str | None:
    """The database's alembic revision, None when it was never stamped."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def readiness() -> Readiness:
    """Database reachable, migrations at head, storage root writable: what a load balancer asks
    before it sends a host traffic. Touches no table but alembic_version."""
    checks = {"database": "ok", "migrations": "ok", "storage": _storage_check()}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = current_revision(connection)
    except SQLAlchemyError as err:
        checks["database"] = f"unreachable: {type(err.orig or err).__name__}"
        checks["migrations"] = "unknown: database unreachable"
        return Readiness(checks)
    heads = migration_heads()
    if revision is None:
        checks["migrations"] = "not stamped: run flask db upgrade"
    elif revision not in heads:
        checks["migrations"] = f"at {revision}, head is {', '.join(heads)}: run flask db upgrade"
    return Readiness(checks)


def _storage_check() -> str:
    """Create, write, sync and remove a probe file under the storage root (a shared NFS mount
    that went read-only or stale fails here)."""
    root = Path(current_app.config["STORAGE_ROOT"])
    probe = root / f".ready-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
        probe.unlink()
    except OSError as err:
        return f"not writable: {err.strerror or type(err).__name__}"
    return "ok"


def _age(now: datetime, instant: datetime | None) -> float | None:
    return None if instant is None else round((now - instant).total_seconds(), 3)


def lock_holder() -> LockHolder | None:
    if db.engine.dialect.name != "postgresql":
        return None
    row = db.session.execute(_LOCK_HOLDER, {"k": ADVISORY_LOCK_KEY}).first()
    return LockHolder(*row) if row else None


def facts(*, now: datetime, jobs: dict | None = None) -> Facts:
    """Every fact at `now`; `jobs` are this host's job counters (operations.metrics)."""
    ready = readiness()
    with db.engine.connect() as connection:
        revision = current_revision(connection)
    outbox = dict.fromkeys(STATES, 0)
    outbox.update(
        db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    oldest_pending = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.state == PENDING)
    )
    exports = dict.fromkeys((QUEUED, RUNNING), 0)
    exports.update(
        db.session.execute(
            select(ExportJob.state, func.count())
            .where(ExportJob.state.in_((QUEUED, RUNNING)))
            .group_by(ExportJob.state)
        ).all()
    )
    oldest_queued = db.session.scalar(
        select(func.min(ExportJob.requested_at)).where(ExportJob.state == QUEUED)
    )
    seal = db.session.execute(
        select(JournalSeal.id, JournalSeal.sealed_at, JournalSeal.last_entry_id)
        .order_by(JournalSeal.id.desc())
        .limit(1)
    ).first()
    oldest_unsealed = db.session.scalar(
        select(func.min(JournalEntry.at)).where(JournalEntry.id > (seal[2] if seal else 0))
    )
    holder = lock_holder()
    db.session.commit()  # end the read transaction: a scrape holds no snapshot open
    return Facts(
        checked_at=now,
        host=socket.gethostname(),
        database=db.engine.dialect.name,
        readiness=ready,
        migration=revision,
        migration_heads=migration_heads(),
        outbox=outbox,
        outbox_oldest_pending_seconds=_age(now, oldest_pending),
        exports=exports,
        exports_oldest_queued_seconds=_age(now, oldest_queued),
        lock_holder=holder,
        latest_seal_id=seal[0] if seal else None,
        latest_seal_seconds=_age(now, seal[1]) if seal else None,
        oldest_unsealed_seconds=_age(now, oldest_unsealed),
        jobs=jobs or {},
    )
