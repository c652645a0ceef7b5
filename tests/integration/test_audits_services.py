"""Audit workflow through the services: rules, decisions, silence, report, plan, accounts."""

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit import AuditState
from rgpd_app.accounts.models import User
from rgpd_app.audits import decisions, measures, progress, services, submission, timelog
from rgpd_app.audits.access import AuditRefused
from rgpd_app.audits.models import AuditRequest, CorrectiveMeasure
from rgpd_app.errors import Conflict, Forbidden, NotFound
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications.models import OutboxMessage
from tests.audit_support import auditor, nda, request_data

REFUSAL_CLOSES_AT = datetime(2026, 3, 17, 23, 0, tzinfo=UTC)  # Tue 17 March, 24:00 Paris (CET)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def outbox_to(address: str) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.recipient == address)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def report(name="rapport.pdf", content=b"%PDF rapport"):
    return nda(name, content)


def test_a_request_29_days_ahead_is_refused_with_the_earliest_start(people, clock):
    actor = people.actor(people.controller_dpo)
    with pytest.raises(submission.AuditCheckFailed) as caught:
        submission.request_audit(
            request_data(start_on=date(2026, 3, 31), end_on=date(2026, 4, 1)),
            [nda()],
            actor=actor,
            now=clock(),
        )
    check = caught.value.check
    assert [v.code for v in check.violations] == ["notice_too_late"]
    assert check.earliest_start_on == date(2026, 4, 2)
    assert "jeudi 2 avril 2026" in caught.value.fields["notice_received_on"][0]
    assert count(AuditRequest) == 0 and count(OutboxMessage) == 0


def test_every_violation_is_reported_at_once(people, clock, app):
    app.config["RGPD_AUDIT_COMPETITORS"] = "Concurrent Logiciels, Autre SA"
    data = request_data(
        start_on=date(2026, 3, 20),
        end_on=date(2026, 3, 19),
        period_to=None,
        auditors=[auditor(0, firm="concurrent  logiciels"), auditor(1, reference="")],
    )
    with pytest.raises(submission.AuditCheckFailed) as caught:
        submission.request_audit(
            data, [nda(), None], actor=people.actor(people.controller_dpo), now=clock()
        )
    codes = {v.code for v in caught.value.check.violations}
    assert codes == {
        "notice_too_late",
        "end_before_start",
        "period_to_missing",
        "auditor_competitor",
        "auditor_reference_missing",
        "auditor_nda_missing",
    }
    fields = caught.value.fields
    assert "auditors-0-firm" in fields and "auditors-1-nda" in fields
    assert count(AuditRequest) == 0


def test_a_request_is_recorded_with_files_under_server_names(requested, app, people):
    item = requested
    assert item.state == AuditState.REQUESTED and not item.needs_processor_agreement
    document = item.auditors[0].nda_document
    path = Path(app.config["STORAGE_ROOT"]) / "audits" / str(item.id) / document.storage_name
    assert path.read_bytes() == b"%PDF-1.4 signed NDA"
    assert document.original_filename == "accord.pdf" and "accord" not in document.storage_name
    assert document.sha256 == hashlib.sha256(b"%PDF-1.4 signed NDA").hexdigest()
    assert document.size == len(b"%PDF-1.4 signed NDA")
    assert outbox_to("dpo@logiciels.example")[0].subject.endswith("Nouvelle demande d'audit")
    assert outbox_to("dpo@metz.example")
    assert db.session.scalar(select(JournalEntry).where(JournalEntry.action == "audit.requested"))


def test_the_yearly_limit_is_recorded_as_needing_the_processors_agreement(requested, people, clock):
    actor = people.actor(people.controller_dpo)
    data = request_data(start_on=date(2026, 9, 1), end_on=date(2026, 9, 2))
    with pytest.raises(submission.AuditCheckFailed) as caught:
        submission.request_audit(data, [nda()], actor=actor, now=clock())
    assert "ask_agreement" in caught.value.fields
    assert caught.value.check.next_allowed_start_on == date(2027, 4, 2)
    second = submission.request_audit(
        {**data, "ask_agreement": True}, [nda()], actor=actor, now=clock()
    )
    assert second.needs_processor_agreement
    pdpo = people.actor(people.processor_dpo)
    with pytest.raises(AuditRefused, match="accord"):
        decisions.accept(second.id, actor=pdpo, now=clock())
    decisions.decide_agreement(second.id, True, actor=pdpo, now=clock())
    assert decisions.accept(second.id, actor=pdpo, now=clock()).audit.state == "accepted"


def test_a_reaudit_after_a_contested_report_does_not_count(requested, people, clock):
    item = _through_report(requested, people, clock)
    cdpo = people.actor(people.controller_dpo)
    progress.contest(item.id, "Méthode d'échantillonnage erronée", actor=cdpo, now=clock())
    data = request_data(
        start_on=date(2026, 6, 15),
        end_on=date(2026, 6, 16),
        auditors=[auditor(5, firm="Autre Cabinet")],
        reaudit_of_id=item.id,
    )
    again = submission.request_audit(data, [nda()], actor=cdpo, now=clock())
    assert again.is_reaudit and not again.needs_processor_agreement
    same_firm = request_data(
        start_on=date(2026, 6, 15), end_on=date(2026, 6, 16), reaudit_of_id=item.id
    )
    with pytest.raises(AuditRefused, match="déjà demandé"):
        submission.request_audit(same_firm, [nda()], actor=cdpo, now=clock())


def test_refusal_within_the_window_then_the_firm_proposed(requested, people, clock):
    pdpo, cdpo = people.actor(people.processor_dpo), people.actor(people.controller_dpo)
    with pytest.raises(AuditRefused) as caught:
        decisions.refuse(requested.id, {"reason": " "}, actor=pdpo, now=clock())
    assert caught.value.code == "refusal_reason_missing"
    decisions.refuse(
        requested.id,
        {"reason": "Conflit d'intérêts", "proposed_firm": "Audit SA"},
        actor=pdpo,
        now=clock(),
    )
    item = decisions.decide_firm(requested.id, True, actor=cdpo, now=clock()).audit
    assert item.state == "accepted" and item.proposed_firm == "Audit SA"


def test_refusal_after_the_window_is_refused_with_the_closing_day(requested, people, clock):
    pdpo = people.actor(people.processor_dpo)
    with pytest.raises(AuditRefused) as caught:
        decisions.refuse(requested.id, {"reason": "Trop tard"}, actor=pdpo, now=REFUSAL_CLOSES_AT)
    assert caught.value.code == "refusal_window_closed"
    assert "mardi 17 mars 2026" in caught.value.message
    assert db.session.get(AuditRequest, requested.id).state == "requested"


def test_silent_acceptance_exactly_when_the_window_closes_and_once(requested, people):
    before = datetime(2026, 3, 17, 22, 59, tzinfo=UTC)
    assert services.silent_acceptance(before) == 0
    assert db.session.get(AuditRequest, requested.id).state == "requested"
    emails = count(OutboxMessage)
    assert services.silent_acceptance(REFUSAL_CLOSES_AT) == 1
    assert services.silent_acceptance(REFUSAL_CLOSES_AT) == 0
    item = db.session.get(AuditRequest, requested.id)
    assert item.state == "accepted" and item.is_accepted_by_silence
    assert item.accepted_at == REFUSAL_CLOSES_AT
    silent = [m for m in db.session.scalars(select(OutboxMessage)) if "tacitement" in m.subject]
    assert {"dpo@logiciels.example", "dpo@metz.example"} <= {m.recipient for m in silent}
    assert count(OutboxMessage) == emails + len(silent)
    journal = select(func.count()).where(JournalEntry.action == "audit.accepted_by_silence")
    assert db.session.scalar(journal) == 1


def test_auditor_accounts_are_created_on_acceptance_and_expire(requested, people, clock):
    decision = decisions.accept(requested.id, actor=people.actor(people.processor_dpo), now=clock())
    assert [email for email, _ in decision.accounts] == ["auditeur0@verif.example"]
    user = db.session.scalar(select(User).where(User.email == "auditeur0@verif.example"))
    assert user.organisation_id == requested.organisation_id
    during = actor_for(user, datetime(2026, 4, 2, 10, 0, tzinfo=UTC))
    assert during.has("auditor") and during.auditor_controller_ids == {requested.organisation_id}
    # From the acceptance (Mon 2 March) to the announced end + 30 days until the report comes
    # (tests/web/test_auditor_portal.py follows the window to the report's receipt).
    assert not actor_for(user, datetime(2026, 3, 1, 10, tzinfo=UTC)).has("auditor")
    assert actor_for(user, datetime(2026, 3, 20, 10, tzinfo=UTC)).has("auditor")
    assert actor_for(user, datetime(2026, 5, 3, 10, tzinfo=UTC)).has("auditor")
    assert not actor_for(user, datetime(2026, 5, 4, 10, tzinfo=UTC)).has("auditor")
    assert services.read_audit(requested.id, actor=during, now=clock()).id == requested.id


def _through_report(item, people, clock):
    pdpo, cdpo = people.actor(people.processor_dpo), people.actor(people.controller_dpo)
    decisions.accept(item.id, actor=pdpo, now=clock())
    clock.set(datetime(2026, 4, 2, 7, 0, tzinfo=UTC))
    progress.start(item.id, actor=cdpo, now=clock())
    clock.set(datetime(2026, 5, 4, 8, 0, tzinfo=UTC))
    return progress.upload_report(item.id, report(), actor=cdpo, now=clock())


def test_illegal_transitions_are_refused(requested, people, clock):
    pdpo, cdpo = people.actor(people.processor_dpo), people.actor(people.controller_dpo)
    with pytest.raises(AuditRefused) as caught:
        progress.send_observations(requested.id, "Rien", None, actor=pdpo, now=clock())
    assert caught.value.code == "illegal_transition"
    decisions.accept(requested.id, actor=pdpo, now=clock())
    with pytest.raises(AuditRefused, match="avant la date annoncée"):
        progress.start(requested.id, actor=cdpo, now=clock())
    with pytest.raises(AuditRefused):
        decisions.accept(requested.id, actor=pdpo, now=clock())


def test_report_observations_plan_and_close(requested, people, clock):
    pdpo, cdpo = people.actor(people.processor_dpo), people.actor(people.controller_dpo)
    item = _through_report(requested, people, clock)
    clocks = services.clocks_for(item)
    assert clocks.observations.deadline == date(2026, 5, 19)
    assert clocks.corrective.deadline == date(2026, 8, 4)
    clock.set(datetime(2026, 5, 25, 8, 0, tzinfo=UTC))
    item = progress.send_observations(
        item.id, "Le point 3 est inexact.", None, actor=pdpo, now=clock()
    )
    assert item.is_observations_late
    assert "après le délai" in outbox_to("dpo@metz.example")[-1].body_text
    progress.require_corrective_plan(item.id, actor=cdpo, now=clock())
    measure = measures.add_measure(
        item.id,
        {"description": "Revoir les habilitations", "owner": "M. Dupont"},
        actor=pdpo,
        now=clock(),
    )
    assert measure.due_on == date(2026, 8, 4)
    with pytest.raises(AuditRefused) as caught:
        progress.close(item.id, actor=cdpo, now=clock())
    assert caught.value.code == "measures_open"
    measures.set_measure_status(item.id, measure.id, "done", actor=pdpo, now=clock())
    assert progress.close(item.id, actor=cdpo, now=clock()).state == "closed"


def test_measure_reminder_seven_days_before_and_overdue_alert_once(requested, people, clock):
    pdpo, cdpo = people.actor(people.processor_dpo), people.actor(people.controller_dpo)
    item = _through_report(requested, people, clock)
    progress.send_observations(item.id, "RAS", None, actor=pdpo, now=clock())
    progress.require_corrective_plan(item.id, actor=cdpo, now=clock())
    measures.add_measure(
        item.id,
        {"description": "Chiffrer les sauvegardes", "owner": "DSI", "due_on": date(2026, 6, 15)},
        actor=pdpo,
        now=clock(),
    )
    early = datetime(2026, 6, 7, 21, 0, tzinfo=UTC)  # Sun 7 June, 23:00 Paris: 8 days before
    assert services.measure_reminders(early) == {"reminders": 0, "overdue": 0}
    on_time = datetime(2026, 6, 7, 22, 0, tzinfo=UTC)  # Mon 8 June 00:00 Paris: 7 days before
    assert services.measure_reminders(on_time) == {"reminders": 1, "overdue": 0}
    assert services.measure_reminders(on_time) == {"reminders": 0, "overdue": 0}
    late = datetime(2026, 6, 15, 22, 0, tzinfo=UTC)  # Tue 16 June 00:00 Paris
    assert services.measure_reminders(late) == {"reminders": 0, "overdue": 1}
    assert services.measure_reminders(late) == {"reminders": 0, "overdue": 0}
    assert db.session.scalar(select(CorrectiveMeasure)).overdue_alert_sent_at == late


def test_refused_roles_and_foreign_municipality(requested, people, clock, make_user, other_town):
    stranger = people.actor(make_user("controller_dpo", other_town))
    admin = people.actor(make_user("admin"))
    support = people.actor(make_user("support"))
    with pytest.raises(NotFound):
        services.read_audit(requested.id, actor=stranger, now=clock())
    with pytest.raises(Forbidden):
        services.read_audit(requested.id, actor=admin, now=clock())
    with pytest.raises(Forbidden):
        decisions.accept(requested.id, actor=support, now=clock())
    with pytest.raises(Forbidden):
        decisions.accept(requested.id, actor=people.actor(people.controller_dpo), now=clock())
    with pytest.raises(Forbidden):
        submission.request_audit(request_data(), [nda()], actor=support, now=clock())


def test_stale_version_is_a_conflict(requested, people, clock):
    with pytest.raises(Conflict):
        decisions.accept(
            requested.id,
            actor=people.actor(people.processor_dpo),
            now=clock(),
            version=requested.version + 1,
        )


def test_time_log_and_billing_statement(requested, people, clock, make_user):
    support = people.actor(make_user("support"))
    timelog.log_time(
        requested.id,
        {"worked_on": date(2026, 3, 2), "minutes": 90, "description": "Préparation"},
        actor=support,
        now=clock(),
    )
    statement = timelog.billing_statement(
        requested.id, actor=people.actor(people.controller_dpo), now=clock(), fmt="csv"
    )
    assert statement.total_minutes == 90 and statement.rows[0]["hours"] == "1 h 30"
    with pytest.raises(Forbidden):
        timelog.log_time(
            requested.id,
            {"worked_on": date(2026, 3, 2), "minutes": 5, "description": "x"},
            actor=people.actor(people.controller_dpo),
            now=clock(),
        )
