import pytest

from rgpd_app.extensions import db
from rgpd_app.scheduler import JOBS, SingleWorkerLock, job, tick


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
