"""The worker process: APScheduler with one tick a minute (idempotent jobs) and a queue poller.

Never started inside create_app (every web process would run the jobs): `flask rgpd worker` only.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from rgpd_app import clock, jobs
from rgpd_app.extensions import db
from rgpd_app.operations import counters
from rgpd_app.operations.status import ADVISORY_LOCK_KEY

log = logging.getLogger("rgpd_app.worker")

# The (name, job) pairs of rgpd_app.jobs, run in order at each tick; each takes `now`.
JOBS: list[tuple[str, Callable[[datetime], object]]] = [(j.name, j.run) for j in jobs.TICK_JOBS]
# Queues polled every WORKER_QUEUE_POLL_SECONDS (work a user waits for, such as a long export):
# each runner takes a function giving the current instant and works until its queue is empty.
QUEUES: list[tuple[str, Callable[[Callable[[], datetime]], int]]] = [
    (q.name, q.run) for q in jobs.QUEUES
]


def job(name: str):
    """Add a tick job at run time (tests add their own and remove them from JOBS afterwards);
    the application's jobs are listed in rgpd_app.jobs."""

    def decorator(func):
        if name not in {n for n, _ in JOBS}:
            JOBS.append((name, func))
        return func

    return decorator


def _run_each(registry: list, argument, what: str, still_held=None) -> dict:
    """Run every entry with `argument`; a failing one is logged and does not stop the others.

    `still_held`, when given, is asked before each entry: once the single-worker lock is lost
    (its connection killed, a standby took over), the rest of the round is left to the holder."""
    results = {}
    for name, func in registry:
        if still_held is not None and not still_held():
            log.warning("%s round stopped before %s: the worker lock is no longer held", what, name)
            break
        try:
            results[name] = func(argument)
        except Exception:  # one broken job must not starve the others
            db.session.rollback()
            log.exception("%s %s failed", what, name)
            results[name] = "error"
        counters.job_finished(name, ok=results[name] != "error")
    return results


def drain_queues(still_held=None) -> dict:
    """Run every queue runner once; a failing one is logged and does not stop the others."""
    return _run_each(QUEUES, clock.now, "queue", still_held)


def tick(now: datetime | None = None, *, still_held=None) -> dict:
    """Run every job once at `now`; a failing job is logged and does not stop the others."""
    return _run_each(JOBS, now or clock.now(), "job", still_held)


class DatabaseUnavailable(Exception):
    """The worker could not reach its database to take or check its lock."""


class SingleWorkerLock:
    """Keeps one worker active: on PostgreSQL a session advisory lock held on a connection of its
    own; on SQLite always granted (one embedded worker; the outbox takes its own file lock).

    A connection that failed (PostgreSQL restarted, its backend terminated) is invalidated and
    dropped, never reused: the next `acquire()` opens a fresh one and asks for the lock again, so
    a worker goes on by itself once the database is back, as holder or as standby."""

    _HELD = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND pid = pg_backend_pid() AND classid = 0 AND objid = :k AND objsubid = 1"
    )

    def __init__(self, engine):
        self.engine = engine
        self.connection = None
        self.held = False
        self._guard = threading.Lock()  # the tick and the queue poller share the connection

    def acquire(self) -> bool:
        """True when this process holds the lock now; DatabaseUnavailable when it cannot tell."""
        if self.engine.dialect.name != "postgresql":
            return True
        with self._guard:
            try:
                return self._acquire()
            except SQLAlchemyError:
                self._discard()  # a dead connection: retry once on a fresh one
            try:
                return self._acquire()
            except SQLAlchemyError as err:
                self._discard()
                raise DatabaseUnavailable(str(err).splitlines()[0]) from err

    def still_held(self) -> bool:
        """Asked between jobs: False (never an exception) when the lock is gone."""
        try:
            return self.acquire()
        except DatabaseUnavailable:
            return False

    def _acquire(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect()
            self._name_session()
        key = {"k": ADVISORY_LOCK_KEY}
        if self.held:
            # Re-asking would stack the session lock; check that this backend still holds it.
            self.held = bool(self.connection.execute(self._HELD, key).scalar())
        if not self.held:
            query = text("SELECT pg_try_advisory_lock(:k)")
            self.held = bool(self.connection.execute(query, key).scalar())
        self.connection.commit()
        return self.held

    def _name_session(self) -> None:
        """Name the lock's session after this host and process (unless its configuration named
        it), so that `flask rgpd status` and /metrics say which worker holds the lock."""
        name = f"rgpd-worker {socket.gethostname()} {os.getpid()}"[:63]
        self.connection.execute(
            text(
                "SELECT set_config('application_name', :n, false)"
                " WHERE current_setting('application_name') = ''"
            ),
            {"n": name},
        )

    def _discard(self) -> None:
        self.held = False
        if self.connection is not None:
            try:
                self.connection.invalidate()  # never back to the pool: its session is gone
                self.connection.close()
            except Exception:  # noqa: S110  (the connection is already broken)
                pass
            self.connection = None

    def release(self) -> None:
        with self._guard:
            self._release()

    def _release(self) -> None:
        if self.connection is not None:
            # The connection goes back to the pool, where the session (and a session lock)
            # would live on: unlock explicitly.
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock_all()"))
                self.connection.commit()
                self.connection.close()
            except SQLAlchemyError:
                self._discard()  # the server already dropped the session and its lock
            self.connection = None
            self.held = False


class _TickFailures:
    """Ticks in a row that could not reach the database; past the limit the worker exits."""

    def __init__(self, limit: int):
        self.limit = max(1, limit)
        self.count = 0

    def failed(self, err: Exception) -> bool:
        """Count one; True when the worker should exit so that its supervisor restarts it."""
        self.count += 1
        log.error(
            "tick failed (%d/%d in a row): database unreachable: %s", self.count, self.limit, err
        )
        return self.count >= self.limit

    def succeeded(self) -> None:
        if self.count:
            log.info("database reachable again after %d failed tick(s)", self.count)
        self.count = 0


EXIT_DATABASE_UNAVAILABLE = 3


def run_worker(app, *, once: bool = False, interval_seconds: int = 60) -> int:
    """Run the worker until stopped; returns the process exit code (non-zero: restart me)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    lock = SingleWorkerLock(db.engine)
    failures = _TickFailures(app.config["WORKER_MAX_FAILED_TICKS"])
    scheduler = BlockingScheduler(timezone="UTC")
    exit_code = 0

    def _tick():
        nonlocal exit_code
        with app.app_context():
            try:
                held = lock.acquire()
            except DatabaseUnavailable as err:
                if failures.failed(err):
                    log.critical("worker exits: %d ticks without a database", failures.count)
                    exit_code = EXIT_DATABASE_UNAVAILABLE
                    if scheduler.running:
                        scheduler.shutdown(wait=False)
                return
            failures.succeeded()
            if not held:
                log.info("another worker holds the lock; standing by")
                return
            results = tick(still_held=lock.still_held)
            log.info("tick done: %s", {k: _summary(v) for k, v in results.items()})

    def _queues():
        with app.app_context():
            try:
                if not lock.acquire():
                    return
            except DatabaseUnavailable:
                return  # the tick counts the failures and says so
            results = drain_queues(still_held=lock.still_held)
            if any(results.values()):
                log.info("queues: %s", results)

    if once:
        _tick()
        if exit_code == 0 and failures.count == 0:
            _queues()
        lock.release()
        return exit_code or (EXIT_DATABASE_UNAVAILABLE if failures.count else 0)
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
    return exit_code


def _summary(value) -> str:
    return value if isinstance(value, str | int | type(None)) else type(value).__name__
