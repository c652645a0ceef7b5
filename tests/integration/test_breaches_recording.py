"""Recording a breach, alerting the security staff, phased updates (services + database)."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from rgpd_app.breaches import services
from rgpd_app.breaches.models import BreachNotice, BreachUpdate
from rgpd_app.breaches.schemas import BreachInput
from rgpd_app.errors import Forbidden, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.validation import load
from tests.breaches_support import actor, facts, record


@pytest.fixture
def staff(make_user):
    return make_user("security_officer"), make_user("processor_dpo")


@pytest.fixture
def towns(make_org):
    return make_org("Metz", departement="57", breach_processor_hours=12), make_org("Vitré")


def outbox(template=None, channel="email"):
    stmt = select(OutboxMessage).where(OutboxMessage.channel == channel)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def test_recording_creates_one_notice_per_municipality_with_its_processor_target(
    app, clock, staff, towns
):
    breach = record(staff[0], clock, towns)
    assert breach.reference == "VIOL-2026-0001"
    targets = {n.organisation.name: n.processor_target_at for n in breach.notices}
    assert targets == {
        "Metz": datetime(2026, 3, 2, 19, 30, tzinfo=UTC),  # contract: 12 h
        "Vitré": datetime(2026, 3, 3, 7, 30, tzinfo=UTC),  # default: 24 h
    }
    assert all(n.confirmed_at is None and n.notified_at is None for n in breach.notices)
    assert record(staff[1], clock, towns[:1]).reference == "VIOL-2026-0002"


def test_recording_alerts_every_security_officer_and_processor_dpo_at_once(
    app, clock, staff, towns, make_user, make_org
):
    app.config.update(WEBHOOK_URLS=["http://127.0.0.1:9/hook"])
    make_user("support")
    make_user("controller_dpo", towns[0])
    breach = record(staff[0], clock, towns)
    alerts = outbox("breach_alert")
    assert sorted(m.recipient for m in alerts) == sorted(u.email for u in staff)
    assert all(m.created_at == clock() for m in alerts)
    body = alerts[0].body_text
    assert "Metz : objectif interne d'information le lundi 2 mars 2026 à 20:30" in body
    assert "Un rançongiciel" in alerts[0].body_text
    (hook,) = outbox(channel="webhook")
    body = json.loads(hook.context)
    assert body["type"] == "breach.recorded" and body["data"]["reference"] == breach.reference
    assert [m["name"] for m in body["data"]["municipalities"]] == ["Metz", "Vitré"]


def test_municipalities_are_suggested_from_the_processings_and_adjustable(app, clock, staff, towns):
    from rgpd_app.register.models import ProcessingActivity

    activity = ProcessingActivity(
        controller_id=towns[1].id, name="État civil", created_at=clock(), updated_at=clock()
    )
    db.session.add(activity)
    db.session.commit()
    data = {**facts(), "activity_ids": [activity.id]}
    breach = services.record_breach(data, actor=actor(staff[0], clock), now=clock())
    assert [n.organisation_id for n in breach.notices] == [towns[1].id]
    who = actor(staff[0], clock)
    services.set_municipality(
        breach.id, {"organisation_id": towns[0].id, "persons_count": 40}, actor=who, now=clock()
    )
    services.remove_municipality(breach.id, towns[1].id, actor=who, now=clock())
    notices = db.session.scalars(select(BreachNotice)).all()
    assert [(n.organisation_id, n.persons_count) for n in notices] == [(towns[0].id, 40)]


def test_inconsistent_facts_are_refused_field_by_field_and_nothing_is_written(
    app, clock, staff, towns
):
    with pytest.raises(ValidationFailed) as err:
        record(
            staff[0],
            clock,
            towns,
            ended_at=datetime(2026, 3, 1, 21, 0, tzinfo=UTC),
            aware_at=datetime(2026, 3, 5, 8, 0, tzinfo=UTC),
            natures=[],
            description="",
        )
    assert set(err.value.fields) == {"ended_at", "aware_at", "natures", "description"}
    db.session.rollback()
    assert outbox() == [] and db.session.scalars(select(BreachNotice)).all() == []


def test_a_local_time_in_the_spring_gap_is_refused_with_the_offsets(app):
    form = {k: v for k, v in facts().items() if not k.endswith("_at")}
    form.update(started_at="2026-03-29T02:30", aware_at="2026-03-29T10:00+02:00")
    with pytest.raises(ValidationFailed) as err:
        load(BreachInput(), form)
    assert "n'existe pas à Paris" in err.value.fields["started_at"][0]
    form["started_at"] = "2026-03-29T02:30+01:00"
    assert load(BreachInput(), form)["started_at"] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("role", ["support", "admin"])
def test_support_and_admin_cannot_record(app, clock, make_user, towns, role):
    with pytest.raises(Forbidden):
        record(make_user(role), clock, towns)


def test_controller_dpo_cannot_record(app, clock, make_user, towns):
    with pytest.raises(Forbidden):
        record(make_user("controller_dpo", towns[0]), clock, towns)


def test_updates_are_phases_kept_and_sent_only_to_municipalities_already_informed(
    app, clock, staff, towns
):
    breach = record(staff[0], clock, towns)
    who = actor(staff[0], clock)
    services.confirm_notice(breach.notices[0].id, actor=who, now=clock())
    clock.advance(hours=3)
    services.update_breach(
        breach.id,
        {"summary": "Exfiltration confirmée", "persons_count": 1500, "is_ongoing": False},
        actor=actor(staff[0], clock),
        now=clock(),
    )
    updates = db.session.scalars(select(BreachUpdate).order_by(BreachUpdate.phase)).all()
    assert [u.phase for u in updates] == [1, 2]
    assert json.loads(updates[0].facts)["persons_count"] == 1200
    assert json.loads(updates[1].facts)["persons_count"] == 1500
    assert json.loads(updates[1].changed_fields) == ["persons_count"]
    assert updates[1].recorded_at == clock() and breach.persons_count == 1500
    sent = outbox("breach_update")
    assert {m.organisation_id for m in sent} == {towns[0].id}
    assert "Mise à jour n° 2 (art. 33(4) du RGPD) : Exfiltration confirmée" in sent[0].body_text
