"""The living demo: its cases are real (made through the services and the worker's jobs at past
instants), dated from the day it is loaded, and every role's dashboard has work at once."""

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from rgpd_app.accounts.models import User
from rgpd_app.extensions import db

# Two days of the year the demo may be loaded on: a Monday in winter time, and the Sunday
# before a DST change (the scenario's steps cross it).
LOADED_AT = [
    datetime(2026, 12, 7, 8, 30, tzinfo=UTC),
    datetime(2027, 3, 28, 17, 0, tzinfo=UTC),
]
PASSWORD = "Grand-vent-sur-la-lande-2026"


def _load(clock, now):
    from rgpd_app.demo import load_demo

    clock.set(now)
    return now, load_demo(now=now, password_factory=lambda: PASSWORD)


@pytest.fixture
def demo(app, clock):
    return _load(clock, LOADED_AT[0])


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def check_register_holds_thirty_processings_some_special_one_transfer_awaiting_consent(demo):
    from rgpd_app.organisations.models import Organisation
    from rgpd_app.register.models import DataCategory, ProcessingActivity, Transfer

    assert _count(ProcessingActivity) >= 30
    towns = db.session.scalars(
        select(Organisation.name).join(ProcessingActivity.controller).distinct()
    ).all()
    assert len(towns) == 3
    special = select(DataCategory.activity_id).where(
        DataCategory.is_special | DataCategory.is_criminal
    )
    assert _count(ProcessingActivity, ProcessingActivity.id.in_(special)) >= 6
    transfers = db.session.scalars(select(Transfer)).all()
    assert [t.country for t in transfers] == ["US"]
    assert not transfers[0].has_consent


def check_subprocessor_notices_one_objected_one_silent_one_awaiting_written_approval(demo):
    from rgpd_app.subprocessors.models import NoticeRecipient, SubprocessorNotice
    from rgpd_app.subprocessors.notices import rules as notice_rules

    now, _ = demo
    today = now.date()
    inside, outside = db.session.scalars(
        select(SubprocessorNotice).order_by(SubprocessorNotice.id)
    ).all()
    assert not inside.is_transfer_outside_eea and outside.is_transfer_outside_eea
    states = {r.organisation.name: r.state for r in inside.recipients}
    assert states["Commune de Montigny-lès-Metz"] == notice_rules.OBJECTED
    assert states["Commune de Cesson-Sévigné"] == notice_rules.OPEN  # silent so far
    for recipient in (*inside.recipients, *outside.recipients):
        assert recipient.received_on is not None and recipient.window_ends_on >= today
    # The mail server's acceptance opened each window, in the past (worker rounds at past times).
    assert all(r.received_on < today for r in inside.recipients)
    waiting = [r for r in outside.recipients if r.state == notice_rules.OPEN]
    assert waiting and all(r.approved_at is None for r in waiting)
    assert _count(NoticeRecipient, NoticeRecipient.state == notice_rules.APPROVED) == 0


def check_audits_one_requested_one_with_report_and_observations_running(demo):
    from audit.states import AuditState
    from rgpd_app.audits.access import clocks_for
    from rgpd_app.audits.models import AuditRequest

    now, _ = demo
    states = {a.organisation.name: a for a in db.session.scalars(select(AuditRequest))}
    assert states["Commune de Montigny-lès-Metz"].state == AuditState.REQUESTED
    reported = states["Commune de Cesson-Sévigné"]
    assert reported.state == AuditState.REPORT_RECEIVED
    assert reported.report_received_at < now
    assert not clocks_for(reported).observations.is_closed(now)


def check_breach_notices_accepted_and_their_72_hour_clocks_running(demo):
    from rgpd_app.breaches.models import BreachNotice

    now, _ = demo
    notices = db.session.scalars(select(BreachNotice)).all()
    assert len(notices) == 2
    for notice in notices:
        accepted, deadline = notice.email_accepted_at, notice.authority_deadline_at
        assert now - timedelta(hours=14) < accepted < now
        assert deadline - accepted == timedelta(hours=72) and deadline > now


def check_assistance_extended_instructions_deposit_and_journal_history(demo):
    from rgpd_app.deposits import rules as deposit_rules
    from rgpd_app.deposits.models import Deposit
    from rgpd_app.foundation.journal import JournalEntry
    from rgpd_app.instructions import rules as instruction_rules
    from rgpd_app.instructions.models import Instruction
    from rgpd_app.journal.models import JournalSeal
    from rgpd_app.journal.services import verify
    from rgpd_app.requests.models import AssistanceRequest

    now, _ = demo
    assert _count(AssistanceRequest, AssistanceRequest.extended_at.is_not(None)) == 1
    instructions = db.session.scalars(select(Instruction).order_by(Instruction.id)).all()
    assert [i.state == instruction_rules.SUSPENDED for i in instructions] == [False, True]
    assert instructions[0].acknowledged_at is not None
    held = db.session.scalars(select(Deposit).where(Deposit.state.in_(deposit_rules.HELD))).all()
    assert len(held) == 1 and held[0].direction == deposit_rules.RECEIVED
    # Journal history spread over the 75 days, in order, sealed and intact.
    times = db.session.scalars(select(JournalEntry.at).order_by(JournalEntry.id)).all()
    assert times == sorted(times)
    assert times[0] <= now - timedelta(days=70)
    assert _count(JournalSeal) >= 1
    assert verify().ok


CHECKS = [
    check_register_holds_thirty_processings_some_special_one_transfer_awaiting_consent,
    check_subprocessor_notices_one_objected_one_silent_one_awaiting_written_approval,
    check_audits_one_requested_one_with_report_and_observations_running,
    check_breach_notices_accepted_and_their_72_hour_clocks_running,
    check_assistance_extended_instructions_deposit_and_journal_history,
]


@pytest.mark.parametrize("loaded_at", LOADED_AT, ids=["december", "dst-change"])
def test_demo_cases_are_live_on_the_day_it_is_loaded(app, clock, loaded_at):
    """Each case of the issue, in the state it must be in on the day the demo is loaded."""
    demo = _load(clock, loaded_at)
    for check in CHECKS:
        check(demo)


def test_every_role_finds_work_on_its_dashboard(demo):
    from rgpd_app.dashboard import todo_for
    from rgpd_app.foundation.actor import actor_for

    now, created = demo
    emails = {email for email, _, _ in created}
    assert len(emails) == 9
    with db.session.no_autoflush:
        for email in emails:
            user = db.session.scalar(select(User).where(User.email == email))
            with _request(db):
                domains = todo_for(actor_for(user, now), now=now)
            assert domains, f"{email} ({user.roles}) has an empty dashboard"


def _request(_db):
    from flask import current_app

    return current_app.test_request_context()


def test_dashboard_page_of_the_town_dpo_shows_the_live_cases(demo, app, client):
    from rgpd_app.extensions import login_manager

    user = db.session.scalar(select(User).where(User.email == "dpo@montigny.example"))
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "pytest-client"}
    ):
        ident = login_manager._session_identifier_generator()
    with client.session_transaction() as sess:  # as `login_as` does, without its processor
        sess.update(_user_id=user.get_id(), _fresh=True, _id=ident)
        sess["seen"] = sess["started"] = demo[0].timestamp()
    page = client.get("/dashboard").get_data(as_text=True)
    for expected in ("Atlantic Support Services", "VIOL-", "DEM-", "Dépôt n°"):
        assert expected in page


def test_cli_demo_then_generated_municipalities(app):
    from rgpd_app.organisations.models import Organisation
    from rgpd_app.organisations.rules import siren_is_valid
    from rgpd_app.register.models import ProcessingActivity

    runner = CliRunner()
    first = runner.invoke(app.cli, ["rgpd", "demo"], catch_exceptions=False)
    assert "Comptes de démonstration" in first.output
    before = _count(ProcessingActivity)
    more = runner.invoke(app.cli, ["rgpd", "demo", "--municipalities", "12"],
                         catch_exceptions=False)  # fmt: skip
    assert "12 collectivités générées" in more.output
    again = runner.invoke(app.cli, ["rgpd", "demo", "--municipalities", "3"],
                          catch_exceptions=False)  # fmt: skip
    assert again.exit_code == 0
    generated = db.session.scalars(
        select(Organisation).where(Organisation.name.like("Commune de Démo-%"))
    ).all()
    assert len(generated) == 15 and len({o.siren for o in generated}) == 15
    assert all(siren_is_valid(o.siren) for o in generated)
    assert _count(ProcessingActivity) == before + 15 * 5
    refused = runner.invoke(app.cli, ["rgpd", "demo", "--municipalities", "-1"])
    assert refused.exit_code != 0 and "municipalities" in refused.output
