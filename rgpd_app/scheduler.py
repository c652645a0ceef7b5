"""The worker process: APScheduler with one tick a minute (idempotent jobs) and a queue poller.

Never started inside create_app (every web process would run the jobs): `flask rgpd worker` only.
"""

import logging
import threading
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
# Queues polled every WORKER_QUEUE_POLL_SECONDS (work a user waits for, such as a long export):
# each runner takes a function giving the current instant and works until its queue is empty.
QUEUES: list[tuple[str, Callable[[Callable[[], datetime]], int]]] = []


def _registrar(registry: list, what: str):
    def register(name: str):
        def decorator(func):
            if name not in {n for n, _ in registry}:
                registry.append((name, func))
            return func

        return decorator

    register.__doc__ = f"Register a {what} (used by domains at import time)."
    return register


job = _registrar(JOBS, "tick job")
queue = _registrar(QUEUES, "queue runner")


def _run_each(registry: list, argument, what: str) -> dict:
    """Run every entry with `argument`; a failing one is logged and does not stop the others."""
    results = {}
    for name, func in registry:
        try:
            results[name] = func(argument)
        except Exception:  # one broken job must not starve the others
            db.session.rollback()
            log.exception("%s %s failed", what, name)
            results[name] = "error"
    return results


@job("journal.seal")
def _seal(now):
    return journal.seal(now=now)


@job("journal.purge")
def _purge(now):
    return journal.purge(now=now, retention_days=current_app.config["JOURNAL_RETENTION_DAYS"])


def drain_queues() -> dict:
    """Run every queue runner once; a failing one is logged and does not stop the others."""
    return _run_each(QUEUES, clock.now, "queue")


def tick(now: datetime | None = None) -> dict:
    """Run every job once at `now`; a failing job is logged and does not stop the others."""
    return _run_each(JOBS, now or clock.now(), "job")


class SingleWorkerLock:
    """On PostgreSQL, a session advisory lock held on its own connection keeps one worker active."""

    def __init__(self, engine):
        self.engine = engine
        self.connection = None
        self._guard = threading.Lock()  # the tick and the queue poller share the connection

    def acquire(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        with self._guard:
            return self._acquire()

    def _acquire(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect()
        got = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}
        ).scalar()
        self.connection.commit()
        return bool(got)

    def release(self) -> None:
        with self._guard:
            self._release()

    def _release(self) -> None:
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

    def _queues():
        with app.app_context():
            if lock.acquire():
                results = drain_queues()
                if any(results.values()):
                    log.info("queues: %s", results)

    if once:
        _tick()
        _queues()
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
    scheduler.add_job(
        _queues,
        "interval",
        seconds=app.config["WORKER_QUEUE_POLL_SECONDS"],
        id="queues",
        max_instances=1,
        coalesce=True,
    )
    try:
        scheduler.start()
    finally:
        lock.release()


def _summary(value) -> str:
    return value if isinstance(value, str | int | type(None)) else type(value).__name__
