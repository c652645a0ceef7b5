"""`flask rgpd status` and the facts behind /metrics (issue 19)."""

import json

from sqlalchemy import text

from rgpd_app.extensions import db
from rgpd_app.journal import services as journal
from rgpd_app.operations import counters, status
from rgpd_app.scheduler import SingleWorkerLock, tick
from tests.operations_support import stamped_at_head


def test_the_seal_age_and_the_oldest_unsealed_row(app, clock, make_org):
    make_org()  # journals its creation
    facts = status.facts(now=clock())
    assert facts.latest_seal_id is None and facts.oldest_unsealed_seconds == 0
    journal.seal(now=clock())
    clock.advance(minutes=3)
    facts = status.facts(now=clock())
    assert facts.latest_seal_seconds == 180 and facts.oldest_unsealed_seconds is None


def test_the_lock_holder_is_the_workers_session(app, backend, clock):
    lock = SingleWorkerLock(db.engine)
    try:
        assert lock.acquire()
        holder = status.facts(now=clock()).lock_holder
        if backend == "postgres":
            pid = lock.connection.execute(text("SELECT pg_backend_pid()")).scalar()
            lock.connection.commit()
            assert holder.pid == pid
            assert holder.application_name.startswith("rgpd-worker ")
        else:
            assert holder is None  # SQLite: one embedded worker, no lock
    finally:
        lock.release()
    if backend == "postgres":
        assert status.facts(now=clock()).lock_holder is None


def test_job_runs_and_failures_are_counted_by_name(app, clock):
    before = counters.job_counts().get("journal.seal", {"runs": 0, "failures": 0})
    tick(clock())
    after = counters.job_counts()["journal.seal"]
    assert after["runs"] == before["runs"] + 1 and after["failures"] == before["failures"]


def test_status_prints_the_facts_and_fails_when_not_ready(app, runner):
    result = runner.invoke(args=["rgpd", "status"])
    assert result.exit_code == 1
    assert "Service : PAS PRÊT" in result.output
    assert "migrations  not stamped: run flask db upgrade" in result.output
    with stamped_at_head() as head:
        result = runner.invoke(args=["rgpd", "status"])
        assert result.exit_code == 0, result.output
        assert "Service : prêt" in result.output
        assert f"Migration : {head} (tête : {head})" in result.output
        assert "Messages : pending 0, sending 0, sent 0, failed 0" in result.output
        as_json = json.loads(runner.invoke(args=["rgpd", "status", "--json"]).output)
    assert as_json["ready"] is True and as_json["migration"] == head
    assert as_json["outbox"] == {"failed": 0, "pending": 0, "sending": 0, "sent": 0}
    assert as_json["exports"] == {"queued": 0, "running": 0}
