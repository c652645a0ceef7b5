"""Data-subject requests through the services: forwarding, encrypted identity, assistance
clock and its one extension, the municipality's own deadline, billing time, purge."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from rgpd_app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.requests import assistance, recording, rules, services
from rgpd_app.requests.access import RequestRefused
from rgpd_app.requests.models import SubjectRequest
from tests.requests_support import IDENTITY, record_data

# The first assistance period (15 days from Monday 2 March) ends on Tuesday 17 March at 24:00
# in Paris, i.e. 23:00 UTC.
FIRST_END = datetime(2026, 3, 17, 23, 0, tzinfo=UTC)


def journal_count(action: str) -> int:
    stmt = select(func.count()).where(JournalEntry.action == action)
    return db.session.scalar(stmt)


def mails(template: str) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def test_a_request_is_forwarded_at_once_without_the_identity_in_the_mail(recorded, metz, clock):
    assert recorded.state == rules.FORWARDED and recorded.forwarded_at == clock()
    assert recorded.controller_received_on == date(2026, 3, 2)
    sent = mails("request_forwarded")
    assert {m.recipient for m in sent} == {"dpo@metz.example", metz.dpo_email}
    assert recorded.forwarded_to == ", ".join(m.recipient for m in sent)
    for message in sent:
        assert "Jeanne" not in message.body_text + message.body_html + message.context
        assert "ne répond pas lui-même" in message.body_text
    assert journal_count("requests.recorded") == journal_count("requests.forwarded") == 1


def test_the_identity_is_unreadable_in_the_database(app, recorded, backend):
    raw = db.session.execute(
        text("SELECT requester_identity, details FROM subject_request WHERE id = :id"),
        {"id": recorded.id},
    ).one()
    for value in raw:
        assert value.startswith("v1:") and "Jeanne" not in value and "état civil" not in value
    if backend == "sqlite":
        db.session.remove()
        files = Path(app.instance_path).parent.glob("test.sqlite3*")
        content = b"".join(path.read_bytes() for path in files)
        assert b"Jeanne" not in content and b"Tanneurs" not in content


def test_only_the_two_dpos_read_the_identity_and_every_read_is_journaled(
    recorded, staff, make_user, metz, rennes, clock
):
    for user in (staff.processor_dpo, staff.controller_dpo):
        values = recording.read_identity(recorded.id, actor=staff.actor(user), now=clock())
        assert values["requester_identity"] == IDENTITY
    assert journal_count("requests.identity_read") == 2
    auditor = make_user(
        "auditor",
        metz,
        controller_id=metz.id,
        valid_from_on=date(2026, 3, 1),
        valid_until_on=date(2026, 3, 31),
    )
    for user in (staff.support, staff.instructor, make_user("admin"), auditor):
        with pytest.raises(Forbidden):
            recording.read_identity(recorded.id, actor=staff.actor(user), now=clock())
    with pytest.raises(NotFound):
        recording.read_identity(
            recorded.id, actor=staff.actor(make_user("controller_dpo", rennes)), now=clock()
        )
    assert journal_count("requests.identity_read") == 2
    # The auditor sees the request itself, not who made it.
    assert services.read_request(recorded.id, actor=staff.actor(auditor), now=clock()) == recorded


def test_recording_is_for_the_processor_and_bad_input_is_named(staff, metz, rennes, clock):
    with pytest.raises(Forbidden):
        recording.record_request(
            record_data(metz.id), actor=staff.actor(staff.controller_dpo), now=clock()
        )
    future = datetime(2026, 3, 3, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as err:
        recording.record_request(
            record_data(metz.id, received_at=future), actor=staff.actor(staff.support), now=clock()
        )
    assert "received_at" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        recording.record_request(
            record_data(staff.support.organisation_id),
            actor=staff.actor(staff.support),
            now=clock(),
        )
    assert "organisation_id" in err.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SubjectRequest)) == 0


def test_assistance_clock_and_the_municipalitys_deadline_side_by_side(assisted):
    clocks = services.clocks_for(assisted)
    assert clocks.assistance.first.deadline == date(2026, 3, 17)
    assert clocks.assistance.first.closes_at == FIRST_END
    assert not clocks.assistance.is_extended
    assert clocks.controller.deadline == date(2026, 4, 2) and clocks.in_time is True
    [mail] = mails("request_assistance")
    assert mail.recipient == "dpo@logiciels.example" and "17/03/2026" in mail.body_text


def test_an_extension_without_a_reason_is_refused(assisted, staff, clock):
    with pytest.raises(RequestRefused) as err:
        assistance.extend(
            assisted.id, {"reason": None}, actor=staff.actor(staff.processor_dpo), now=clock()
        )
    assert err.value.code == "extension_reason" and "reason" in err.value.fields
    db.session.rollback()
    assert db.session.get(SubjectRequest, assisted.id).assistance.extended_at is None


def test_an_extension_after_the_first_end_is_refused(assisted, staff, clock):
    clock.set(FIRST_END)
    with pytest.raises(Conflict) as err:
        assistance.extend(
            assisted.id, {"reason": "load"}, actor=staff.actor(staff.processor_dpo), now=clock()
        )
    assert err.value.code == "extension_too_late" and "17/03/2026" in err.value.message


def test_one_extension_before_the_first_end_runs_from_the_unextended_end(assisted, staff, clock):
    pdpo = staff.actor(staff.processor_dpo)
    clock.set(datetime(2026, 3, 17, 22, 59, tzinfo=UTC))
    with pytest.raises(Forbidden):
        assistance.extend(
            assisted.id, {"reason": "load"}, actor=staff.actor(staff.support), now=clock()
        )
    assistance.extend(
        assisted.id, {"reason": "complexity", "note": "Archives papier"}, actor=pdpo, now=clock()
    )
    clocks = services.clocks_for(assisted)
    assert clocks.assistance.is_extended and clocks.assistance.current.deadline == date(2026, 3, 25)
    assert "25/03/2026" in mails("request_extended")[0].body_text
    with pytest.raises(Conflict) as err:
        assistance.extend(assisted.id, {"reason": "load"}, actor=pdpo, now=clock())
    assert err.value.code == "already_extended"


def test_the_municipality_extends_its_own_deadline_by_two_months(assisted, staff, clock):
    cdpo = staff.actor(staff.controller_dpo)
    recording.extend_controller_deadline(
        assisted.id, {"reason": "Demandes nombreuses"}, actor=cdpo, now=clock()
    )
    assert services.clocks_for(assisted).controller.deadline == date(2026, 6, 2)
    with pytest.raises(Conflict):
        recording.extend_controller_deadline(
            assisted.id, {"reason": "Encore"}, actor=cdpo, now=clock()
        )


def test_time_outcome_close_then_identity_purged_after_the_retention(assisted, staff, clock):
    pdpo, support = staff.actor(staff.processor_dpo), staff.actor(staff.support)
    assistance.log_time(
        assisted.id,
        {"worked_on": date(2026, 3, 2), "minutes": 45, "description": "Extraction"},
        actor=support,
        now=clock(),
    )
    with pytest.raises(Conflict):
        recording.close_request(assisted.id, actor=pdpo, now=clock())  # help still running
    assistance.close(
        assisted.id,
        {"outcome": "extracted", "details": "Export CSV de 3 actes"},
        actor=pdpo,
        now=clock(),
    )
    assert assisted.assistance.total_minutes == 45
    assert "Export CSV de 3 actes" in mails("request_done")[0].body_text
    recording.close_request(assisted.id, actor=staff.actor(staff.controller_dpo), now=clock())
    assert services.purge_identity(datetime(2027, 3, 2, 22, 0, tzinfo=UTC)) == 0  # 2 March 2027
    purge_at = datetime(2027, 3, 2, 23, 0, tzinfo=UTC)  # 3 March 2027, 00:00 in Paris
    assert services.purge_identity(purge_at) == 1
    assert services.purge_identity(purge_at) == 0  # idempotent
    db.session.expire_all()
    item = db.session.get(SubjectRequest, assisted.id)
    assert item.requester_identity is None and item.details is None
    assert item.identity_purged_at == purge_at
    assert journal_count("requests.identity_purged") == 1
    values = recording.read_identity(item.id, actor=pdpo, now=purge_at)
    assert values["requester_identity"] is None and values["purged_at"] == purge_at


def test_a_shorter_retention_set_by_the_municipality(staff, clock):
    item = recording.ask_assistance(
        {
            "kind": "erasure",
            "requester_identity": "Paul Durand",
            "question": "Effacer son compte",
            "controller_received_on": date(2026, 2, 27),
            "retention_months": 1,
        },
        actor=staff.actor(staff.controller_dpo),
        now=clock(),
    )
    assert item.origin == rules.MUNICIPALITY and item.state == rules.ASSISTANCE
    assert services.clocks_for(item).controller.deadline == date(2026, 3, 27)
    assistance.close(
        item.id,
        {"outcome": "erased", "details": "Compte supprimé"},
        actor=staff.actor(staff.processor_dpo),
        now=clock(),
    )
    recording.close_request(item.id, actor=staff.actor(staff.processor_dpo), now=clock())
    assert services.purge_identity(datetime(2026, 4, 2, 23, 0, tzinfo=UTC)) == 1


def test_a_new_request_for_help_names_every_missing_field(staff, clock):
    with pytest.raises(ValidationFailed) as err:
        recording.ask_assistance(
            {"question": "Aide"}, actor=staff.actor(staff.controller_dpo), now=clock()
        )
    assert set(err.value.fields) == {"kind", "requester_identity", "controller_received_on"}


def test_mes_echeances_show_both_clocks(app, assisted, staff, clock):
    from rgpd_app.clocks.services import echeances_for

    with app.test_request_context():
        processor = {
            e.kind: e for e in echeances_for(staff.actor(staff.processor_dpo), now=clock())
        }
        municipality = {
            e.kind for e in echeances_for(staff.actor(staff.controller_dpo), now=clock())
        }
    assert "délai initial" in processor["request-assistance"].title
    assert processor["request-assistance"].deadline == date(2026, 3, 17)
    assert "request-answer" not in processor
    assert {"request-assistance", "request-answer"} <= municipality
