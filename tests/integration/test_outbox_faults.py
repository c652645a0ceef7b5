"""Faults made real: senders killed -9 at each SMTP step, connections dropped, two senders at
once, a batch and a single send longer than the claim timeout, PostgreSQL backends terminated
under a running worker. After each: every message reached its recipient at least once, our
records hold one acceptance per message (the first the server gave), and the clocks that start
at receipt equal that acceptance plus their period."""

import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import select

from rgpd_app import clock as app_clock
from rgpd_app.breaches import services as breaches
from rgpd_app.breaches.models import BreachNotice
from rgpd_app.breaches.notices import services as breach_notices
from rgpd_app.extensions import db
from rgpd_app.notifications import services
from rgpd_app.notifications.models import OutboxAttempt, OutboxMessage
from rgpd_app.subprocessors.models import NoticeRecipient
from rgpd_app.subprocessors.notices import rules as notice_rules
from rgpd_app.subprocessors.notices import windows
from tests.breaches_support import actor, record
from tests.outbox_faults_support import FaultServer, finish, free_port, spawn
from tests.subprocessor_support import notice_data

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def server(app):
    """A fault-injecting SMTP server; the app (and its children) use the real clock."""
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, NOW=None)
    smtp = FaultServer(port).start()
    yield smtp
    smtp.stop()


@pytest.fixture
def breach_notice(app, clock, make_user, make_org):
    """A confirmed breach notice whose e-mail waits in the outbox: its 72 h clock starts at
    the first acceptance."""
    officer = make_user("security_officer")
    town = make_org("Thionville", departement="57")
    breach = record(officer, clock, [town])
    return breaches.confirm_notice(breach.notices[0].id, actor=actor(officer, clock), now=clock())


def enqueue(count: int, prefix: str = "agent") -> None:
    now = app_clock.now()
    for n in range(count):
        services.enqueue_email(
            to=f"{prefix}{n}@commune.example",
            template="notice",
            context={"title": f"Avis {n}", "lines": ["Texte."], "link": "/"},
            now=now,
        )
    db.session.commit()


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def attempts(message: OutboxMessage) -> list[OutboxAttempt]:
    return list(
        db.session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.message_pk == message.id)
            .order_by(OutboxAttempt.number)
        )
    )


def settle(app, *, timeout_minutes: float = 0.01) -> None:
    """What a later round does: after the claim timeout, a fresh sender finishes the work."""
    time.sleep(timeout_minutes * 60 + 0.3)
    code, counts, err = finish(spawn(app, OUTBOX_SENDING_TIMEOUT_MINUTES=timeout_minutes))
    assert code == 0, err


def assert_delivered_once_in_our_records(server, *, slack: float = 1.0) -> list[OutboxMessage]:
    first = server.handler.first_acceptance()
    rows = messages()
    assert rows
    for message in rows:
        assert message.state == "sent", (message.message_id, attempts(message))
        assert message.message_id in first, "never reached its recipient"
        accepted = [a for a in attempts(message) if a.accepted_at is not None]
        # One acceptance in our records, the first: no later attempt replaced it.
        assert message.accepted_at == min(a.accepted_at for a in accepted)
        assert message.accepted_attempt == min(accepted, key=lambda a: a.accepted_at).number
        # ... and it is the server's first 250 (read just after it, or presumed just before).
        assert abs(message.accepted_at.timestamp() - first[message.message_id]) < slack
    return rows


def assert_breach_clock_is_first_acceptance(notice_id: int) -> None:
    breach_notices.sync_receptions(app_clock.now())
    notice = db.session.get(BreachNotice, notice_id, populate_existing=True)
    first = min(
        m.accepted_at for m in db.session.scalars(breach_notices._messages_stmt([notice_id]))
    )
    assert notice.email_accepted_at == first
    assert notice.authority_deadline_at == first + timedelta(hours=72)


@pytest.mark.parametrize("step", ["MAIL", "DATA_250"])
def test_sender_killed_at_an_smtp_step_loses_nothing_and_keeps_the_first_acceptance(
    app, server, breach_notice, step
):
    enqueue(4)
    child = spawn(app)
    server.handler.victim, server.handler.kill_at, server.handler.fault_on = child.pid, step, 2
    code, counts, _ = finish(child)
    assert code == -9 and counts is None  # really killed mid-batch
    settle(app)
    rows = assert_delivered_once_in_our_records(server)
    victim = rows[1]
    copies = server.handler.copies()[victim.message_id]
    if step == "MAIL":  # nothing was transmitted: one copy, one interrupted attempt kept
        assert copies == 1
        assert [a.outcome for a in attempts(victim)] == ["interrupted", "accepted"]
    else:  # the server said 250: at most one copy more, never a second acceptance
        assert copies in (1, 2)
    assert_breach_clock_is_first_acceptance(breach_notice.id)


@pytest.fixture
def objection_notice(app, clock, sub_world):
    """A sub-processor change notice e-mailed to two municipalities (Rennes, Moselle's Metz)."""
    from rgpd_app.subprocessors.notices import services as notices

    notice = notices.create_notice(notice_data(sub_world.sub.id), actor=sub_world.dpo, now=clock())
    return notices.send_notice(notice.id, actor=sub_world.dpo, now=clock())


def assert_objection_windows_start_at_first_acceptance(notice_id: int) -> None:
    windows.start_windows(app_clock.now())
    recipients = db.session.scalars(
        select(NoticeRecipient).where(NoticeRecipient.notice_id == notice_id)
    ).all()
    assert len(recipients) >= 2  # every municipality (Rennes, Metz and the breach fixture's)
    for recipient in recipients:
        db.session.refresh(recipient)
        message = db.session.get(OutboxMessage, recipient.outbox_message_id)
        received_on = windows.paris_day(message.accepted_at)
        expected = notice_rules.window(
            received_on, recipient.organisation.objection_days, windows.calendar_of(recipient)
        )
        assert recipient.received_on == received_on
        assert recipient.window_closes_at == expected.closes_at


def test_sender_killed_after_the_250_and_before_its_commit_keeps_the_first_acceptance(
    app, server, breach_notice, objection_notice
):
    enqueue(2)
    code, counts, _ = finish(spawn(app, fault="kill_before_commit"))
    assert code == -9
    first = messages()[0]
    assert first.state == "sending" and first.accepted_at is None  # the 250 was never recorded
    settle(app)
    rows = assert_delivered_once_in_our_records(server)
    victim = rows[0]
    # At-least-once transport: the re-send reached the server again with the same Message-ID…
    assert server.handler.copies()[victim.message_id] == 2
    # … exactly-once records: the acceptance stays the first one, presumed at the end of data.
    assert [a.outcome for a in attempts(victim)] == ["presumed", "accepted"]
    assert victim.accepted_attempt == 1
    assert victim.accepted_at.timestamp() <= server.handler.first_acceptance()[victim.message_id]
    assert_breach_clock_is_first_acceptance(breach_notice.id)
    assert_objection_windows_start_at_first_acceptance(objection_notice.id)


@pytest.mark.parametrize("step", ["MAIL", "RCPT", "DATA", "DATA_250"])
def test_connection_dropped_at_each_step_is_retried_and_never_recorded_twice(app, server, step):
    enqueue(1)
    server.handler.drop_at, server.handler.fault_on = step, 1
    first_round = services.send_due(app_clock.now())
    if step == "DATA_250":  # the 250 arrived before the drop: accepted, QUIT's failure ignored
        assert first_round["sent"] == 1
    else:
        assert first_round["retry"] == 1
        later = app_clock.now() + timedelta(minutes=2)  # past the first backoff
        assert services.send_due(later)["sent"] == 1
    (message,) = assert_delivered_once_in_our_records(server)
    assert server.handler.copies()[message.message_id] == 1
    expected = ["accepted"] if step == "DATA_250" else ["refused", "accepted"]
    assert [a.outcome for a in attempts(message)] == expected


def test_two_senders_at_once_send_each_message_once(app, server):
    enqueue(40)
    server.handler.data_delay = 0.05
    first, second = spawn(app), spawn(app)
    results = [finish(first), finish(second)]
    assert all(code == 0 for code, _, _ in results), results
    assert sum(counts["sent"] for _, counts, _ in results) == 40
    assert_delivered_once_in_our_records(server)
    assert set(server.handler.copies().values()) == {1}  # 0 duplicates


def test_a_batch_longer_than_the_claim_timeout_is_not_taken_over(app, server):
    app.config["OUTBOX_SENDING_TIMEOUT_MINUTES"] = 0.02  # 1.2 s; the batch takes ~3 s
    enqueue(20)
    server.handler.data_delay = 0.15
    first = spawn(app)
    time.sleep(2.0)  # well past the timeout of a claim taken at the batch's start
    second = spawn(app)
    results = [finish(first), finish(second)]
    assert all(code == 0 for code, _, _ in results), results
    assert sum(counts["sent"] for _, counts, _ in results) == 20
    assert_delivered_once_in_our_records(server, slack=1.5)
    assert set(server.handler.copies().values()) == {1}


def test_a_single_send_longer_than_the_timeout_is_kept_alive_by_its_heartbeat(app, server, backend):
    app.config["OUTBOX_SENDING_TIMEOUT_MINUTES"] = 0.02  # 1.2 s; the server answers after 6 s
    enqueue(1)
    server.handler.data_delay = 6.0
    first = spawn(app)
    # Waited for, not slept: on a loaded machine the child may take seconds to start sending.
    assert _wait_until(lambda: messages()[0].heartbeat_at is not None, timeout=5.5)
    (message,) = messages()
    assert message.state == "sending"
    second = spawn(app)
    results = [finish(first), finish(second)]
    assert all(code == 0 for code, _, _ in results), results
    assert [counts["sent"] for _, counts, _ in results] == [1, 0]
    assert_delivered_once_in_our_records(server, slack=4.0)
    assert server.handler.copies() == {message.message_id: 1}


def _terminate_other_backends(app) -> int:
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def _wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_postgres_backends_terminated_under_a_running_worker(app, server, backend, breach_notice):
    if backend != "postgres":
        pytest.skip("terminating server backends is a PostgreSQL fault")
    notice_id = breach_notice.id
    enqueue(30)
    server.handler.data_delay = 0.1
    worker = spawn(app, "worker", OUTBOX_SENDING_TIMEOUT_MINUTES=0.02, WORKER_QUEUE_POLL_SECONDS=1)
    try:
        assert _wait_until(lambda: len(server.handler.received) >= 5, 60)
        db.session.remove()
        assert _terminate_other_backends(app) >= 1  # the lock's and the sender's connections
        enqueue(5, prefix="after")  # work that arrives after the fault must be done too
        done = _wait_until(lambda: all(m.state == "sent" for m in messages()), 90)
    finally:
        worker.terminate()
        _, _, err = finish(worker)
    assert done, err[-3000:]
    assert "PendingRollbackError" not in err
    assert_delivered_once_in_our_records(server, slack=1.5)
    assert_breach_clock_is_first_acceptance(notice_id)


def test_accepted_at_is_the_250_not_the_end_of_a_slow_quit(app, server):
    enqueue(1)

    async def slow_quit(self, arg):
        import asyncio

        await asyncio.sleep(2)
        await self.push("221 Bye")
        self._handler_coroutine.cancel()
        self.transport.close()

    from aiosmtpd.smtp import SMTP

    original = SMTP.smtp_QUIT
    SMTP.smtp_QUIT = slow_quit
    try:
        assert services.send_due(app_clock.now())["sent"] == 1
    finally:
        SMTP.smtp_QUIT = original
    (message,) = assert_delivered_once_in_our_records(server, slack=0.5)
    assert message.acceptance_queue_id == "Q000001"
    assert message.acceptance_reply.startswith("2.0.0 Ok: queued as Q000001")
    assert message.sent_at == message.accepted_at
    assert datetime.now(UTC) - message.accepted_at >= timedelta(seconds=1.5)
