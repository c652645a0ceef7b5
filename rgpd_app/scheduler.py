"""The worker process: APScheduler with one tick job a minute, idempotent.

Never started inside create_app (every web process would run the jobs): `flask rgpd worker` only.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import text

from rgpd_app import clock
from rgpd_app.extensions import db
from rgpd_app.journal import services as journal

log = logging.getLogger("rgpd_app.worker")

ADVISORY_LOCK_KEY = 0x52475044  # "RGPD"

# (name, job) pairs run in order at each tick; each job takes `now` and is idempotent.
JOBS: list[tuple[str, Callable[[datetime], object]]] = []


def job(name: str):
    """Register a tick job (used by domains at import time)."""

    def decorator(func):
        if name not in {n for n, _ in JOBS}:
            JOBS.append((name, func))
        return func

    return decorator


@job("journal.seal")
def _seal(now):
    return journal.seal(now=now)


@job("journal.purge")
def _purge(now):
    return journal.purge(now=now, retention_days=current_app.config["JOURNAL_RETENTION_DAYS"])


def tick(now: datetime | None = None) -> dict:
    """Run every job once at `now`; a failing job is logged and does not stop the others."""
    now = now or clock.now()
    results = {}
    for name, func in JOBS:
        try:
            results[name] = func(now)
        except Exception:  # one broken job must not starve the others
            db.session.rollback()
            log.exception("job %s failed", name)
            results[name] = "error"
    return results


class SingleWorkerLock:
    """On PostgreSQL, a session advisory lock held on its own connection keeps one worker active."""

    def __init__(self, engine):
        self.engine = engine
        self.connection = None

    def acquire(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        if self.connection is None:
            self.connection = self.engine.connect()
        got = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
        ).scalar()
        self.connection.commit()
        return bool(got)

    def release(self) -> None:
        if self.connection is not None:
            # The connection goes back to the pool, where the session (and a session lock)
            # would live on: unlock explicitly.
            self.connection.execute(text("SELECT pg_advisory_unlock_all()"))
            self.connection.commit()
            self.connection.close()
            self.connection = None


def run_worker(app, *, once: bool = False, interval_seconds: int = 60) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    lock = SingleWorkerLock(db.engine)

    def _tick():
        with app.app_context():
            if not lock.acquire():
                log.info("another worker holds the lock; standing by")
                return
            results = tick()
            log.info("tick done: %s", {k: _summary(v) for k, v in results.items()})

    if once:
        _tick()
        lock.release()
        return
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        _tick,
        "interval",
        seconds=interval_seconds,
        id="tick",
        max_instances=1,
        coalesce=True,
        next_run_time=clock.now(),
    )
    try:
        scheduler.start()
    finally:
        lock.release()


def _summary(value) -> str:
    return value if isinstance(value, str | int | type(None)) else type(value).__name__
