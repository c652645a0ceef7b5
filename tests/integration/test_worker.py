import json
import logging
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from rgpd_app.extensions import db
from rgpd_app.scheduler import ADVISORY_LOCK_KEY, JOBS, SingleWorkerLock, job, tick
from tests.outbox_faults_support import CHILD, ROOT


def test_only_one_worker_holds_the_lock_on_postgresql(app, backend):
    if backend != "postgres":
        pytest.skip("the advisory lock exists on PostgreSQL only; SQLite runs one embedded worker")
    first, second = SingleWorkerLock(db.engine), SingleWorkerLock(db.engine)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        first.release()
        assert second.acquire() is True
    finally:
        first.release()
        second.release()


def test_a_failing_job_does_not_stop_the_others(app, clock):
    calls = []

    @job("test.broken")
    def broken(now):
        raise RuntimeError("boom")

    @job("test.after")
    def after(now):
        calls.append(now)
        return "ok"

    try:
        results = tick(clock())
        assert results["test.broken"] == "error" and results["test.after"] == "ok"
        assert calls == [clock()]
    finally:
        JOBS[:] = [(n, f) for n, f in JOBS if not n.startswith("test.")]


def test_worker_once_from_the_cli(app, runner):
    result = runner.invoke(args=["rgpd", "worker", "--once"])
    assert result.exit_code == 0, result.output


def test_the_lock_survives_its_backend_being_terminated(app, backend):
    if backend != "postgres":
        pytest.skip("the advisory lock exists on PostgreSQL only")
    lock = SingleWorkerLock(db.engine)
    try:
        assert lock.acquire() is True
        pid = lock.connection.execute(text("SELECT pg_backend_pid()")).scalar()
        lock.connection.commit()
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        # Before: every later acquire() raised PendingRollbackError and no job ever ran again.
        assert lock.acquire() is True
        assert lock.connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        lock.connection.commit()
        assert lock.still_held() is True
    finally:
        lock.release()


def test_a_lost_lock_stops_the_round_before_the_next_job(app, clock):
    calls = []

    @job("test.first")
    def first(now):
        calls.append("first")

    @job("test.second")
    def second(now):
        calls.append("second")

    registered = JOBS[:]
    JOBS[:] = [(n, f) for n, f in JOBS if n.startswith("test.")]
    answers = iter([True, False])
    try:
        tick(clock(), still_held=lambda: next(answers, False))
        assert calls == ["first"]
    finally:
        JOBS[:] = [(n, f) for n, f in registered if not n.startswith("test.")]


def test_job_failures_are_still_logged_after_migrations_ran_in_process(app, clock, caplog):
    from flask_migrate import downgrade, upgrade

    db.drop_all()
    with db.engine.begin() as conn:  # another test may have left the database stamped at head
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()  # runs migrations/env.py's fileConfig in this process

    @job("test.broken")
    def broken(now):
        raise RuntimeError("boom")

    try:
        with caplog.at_level(logging.ERROR, logger="rgpd_app.worker"):
            tick(clock())
        assert "job test.broken failed" in caplog.text
        assert not logging.getLogger("rgpd_app.worker").disabled
    finally:
        JOBS[:] = [(n, f) for n, f in JOBS if not n.startswith("test.")]
        downgrade(revision="base")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()


def _worker_env(url: str, **config) -> dict:
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "WORKER_QUEUE_POLL_SECONDS": 1,
        **config,
    }
    return {**os.environ, "PYTHONPATH": str(ROOT), "RGPD_CHILD_CONFIG": json.dumps(settings)}


def test_the_worker_exits_non_zero_after_n_ticks_without_a_database(tmp_path):
    env = _worker_env(
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",  # nothing listens on port 1
        INSTANCE_PATH=str(tmp_path / "instance"),
        WORKER_MAX_FAILED_TICKS=3,
        WORKER_INTERVAL=0.5,
    )
    done = subprocess.run(
        [sys.executable, str(CHILD), "worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stderr[-2000:]
    assert "tick failed (3/3 in a row): database unreachable" in done.stderr
    assert "worker exits: 3 ticks without a database" in done.stderr


def _holder(app) -> str | None:
    row = db.session.execute(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :k"
        ),
        {"k": ADVISORY_LOCK_KEY},
    ).scalar()
    db.session.commit()
    return row


def test_a_standby_takes_over_within_a_tick_of_the_holders_death(app, backend, tmp_path):
    if backend != "postgres":
        pytest.skip("the advisory lock exists on PostgreSQL only")
    workers = {}
    for name in ("w1", "w2"):
        env = _worker_env(
            app.config["SQLALCHEMY_DATABASE_URI"],
            INSTANCE_PATH=app.instance_path,
            WORKER_INTERVAL=1,
            SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"application_name": name}},
        )
        workers[name] = subprocess.Popen(
            [sys.executable, str(CHILD), "worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        deadline = time.monotonic() + 30
        while _holder(app) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        holder = _holder(app)
        assert holder in workers
        standby = next(name for name in workers if name != holder)
        time.sleep(2.5)  # a few ticks: the standby only stands by
        killed_at = time.monotonic()
        workers[holder].kill()  # kill -9: its session, and the lock, die with it
        workers[holder].wait()
        while _holder(app) != standby and time.monotonic() - killed_at < 30:
            time.sleep(0.05)
        took_over = time.monotonic() - killed_at
        assert _holder(app) == standby
        print(f"standby took over {took_over:.2f} s after kill -9 (tick: 1 s)")
        assert took_over < 5, f"standby took {took_over:.1f} s with a 1 s tick"
        time.sleep(3)  # let it finish a round as the holder
    finally:
        for proc in workers.values():
            proc.terminate()
        logs = {name: proc.communicate(timeout=30)[1] for name, proc in workers.items()}
    # The standby asked at each tick, was refused, and ran no job until the holder died.
    before_takeover = logs[standby].split("tick done")[0]
    assert before_takeover.count("standing by") >= 2
    assert "tick done" in logs[standby]
    assert "standing by" not in logs[holder]
