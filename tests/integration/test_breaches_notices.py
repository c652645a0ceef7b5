"""Notices: one per municipality, its own clock from the mail server's acceptance, the
letter, reminders and escalations sent once, and the municipality's decision."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from deadlines import PARIS
from rgpd_app import scheduler
from rgpd_app.breaches import services
from rgpd_app.breaches.models import BreachReminder
from rgpd_app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.notifications.models import OutboxMessage
from tests.breaches_support import actor, record


@pytest.fixture(autouse=True)
def eml(app):
    app.config["SMTP_HOST"] = ""  # the outbox writes .eml files: every message is accepted


@pytest.fixture
def officer(make_user):
    return make_user("security_officer")


@pytest.fixture
def towns(make_org):
    return make_org("Metz", departement="57"), make_org("Vitré", breach_authority_hours=48)


def paris(value):
    return value.astimezone(PARIS).replace(tzinfo=None)


def confirm_all(breach, officer, clock):
    for notice in breach.notices:
        services.confirm_notice(notice.id, actor=actor(officer, clock), now=clock())


def reminders(template="breach_reminder"):
    stmt = select(OutboxMessage).where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt))


def test_each_municipality_gets_its_own_notice_and_clock(app, clock, officer, towns):
    breach = record(officer, clock, towns)
    services.confirm_notice(breach.notices[0].id, actor=actor(officer, clock), now=clock())
    assert breach.notices[0].notified_at is None  # confirmed, not yet accepted by the server
    clock.advance(minutes=1)
    scheduler.tick(clock())
    clock.advance(hours=2)
    services.confirm_notice(breach.notices[1].id, actor=actor(officer, clock), now=clock())
    scheduler.tick(clock())
    db.session.expire_all()
    metz, vitre = breach.notices
    assert metz.notified_at == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    assert metz.authority_deadline_at == metz.notified_at + timedelta(hours=72)
    assert vitre.notified_at == datetime(2026, 3, 2, 11, 1, tzinfo=UTC)
    assert vitre.authority_deadline_at == vitre.notified_at + timedelta(hours=48)
    with pytest.raises(Conflict):
        services.confirm_notice(metz.id, actor=actor(officer, clock), now=clock())


@pytest.mark.parametrize(
    ("accepted", "end"),
    [
        (datetime(2026, 3, 28, 10, 0), datetime(2026, 3, 31, 11, 0)),  # spring forward
        (datetime(2026, 10, 24, 10, 0), datetime(2026, 10, 27, 9, 0)),  # fall back
    ],
)
def test_the_72_hour_end_is_right_across_both_dst_changes(
    app, clock, officer, towns, accepted, end
):
    accepted_utc = accepted.replace(tzinfo=PARIS).astimezone(UTC)
    clock.set(accepted_utc - timedelta(hours=1))
    breach = record(
        officer,
        clock,
        towns[:1],
        aware_at=clock() - timedelta(hours=2),
        started_at=clock() - timedelta(hours=3),
        ended_at=clock() - timedelta(hours=2),
    )
    confirm_all(breach, officer, clock)
    clock.set(accepted_utc)
    scheduler.tick(clock())
    db.session.expire_all()
    notice = breach.notices[0]
    assert paris(notice.notified_at) == accepted
    assert paris(notice.authority_deadline_at) == end
    assert notice.authority_deadline_at - notice.notified_at == timedelta(hours=72)


def test_an_acknowledgement_before_the_email_starts_the_clock_earlier(app, clock, officer, towns):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9)  # nothing listens: never accepted
    breach = record(officer, clock, towns[:1])
    confirm_all(breach, officer, clock)
    scheduler.tick(clock())
    notice = breach.notices[0]
    assert notice.notified_at is None and notice.authority_deadline_at is None
    at = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)
    services.record_acknowledgement(
        notice.id, {"acknowledged_at": at}, actor=actor(officer, clock), now=clock()
    )
    assert notice.notified_at == at and notice.authority_deadline_at == at + timedelta(hours=72)
    with pytest.raises(ValidationFailed):
        services.record_acknowledgement(
            notice.id,
            {"acknowledged_at": clock() + timedelta(hours=1)},
            actor=actor(officer, clock),
            now=clock(),
        )


def test_the_registered_letter_is_recorded_and_checked(app, clock, officer, towns):
    breach = record(officer, clock, towns[:1])
    notice = breach.notices[0]
    who = actor(officer, clock)
    with pytest.raises(ValidationFailed) as err:
        services.record_letter(
            notice.id,
            {
                "sent_on": date(2026, 3, 2),
                "tracking_number": "1A 234",
                "acknowledged_on": date(2026, 3, 1),
            },
            actor=who,
            now=clock(),
        )
    assert "acknowledged_on" in err.value.fields
    services.record_letter(
        notice.id,
        {"sent_on": date(2026, 3, 2), "tracking_number": "1a12345678901", "acknowledged_on": None},
        actor=who,
        now=clock(),
    )
    assert (notice.letter_sent_on, notice.letter_tracking_number) == (
        date(2026, 3, 2),
        "1A12345678901",
    )


def test_the_processor_target_is_escalated_once(app, clock, officer, towns, make_user):
    make_user("processor_dpo")
    breach = record(officer, clock, towns[:1])
    clock.set(breach.notices[0].processor_target_at - timedelta(minutes=1))
    scheduler.tick(clock())
    assert reminders() == []
    clock.advance(minutes=1)
    scheduler.tick(clock())
    scheduler.tick(clock())
    clock.advance(hours=5)
    scheduler.tick(clock())
    assert len(reminders()) == 2  # the security officer and the processor DPO, once
    kinds = db.session.scalars(select(BreachReminder.kind)).all()
    assert kinds == ["processor_target"]


def test_authority_reminders_go_once_each_to_both_sides_even_when_the_worker_runs_twice(
    app, clock, officer, towns, make_user
):
    dpo = make_user("controller_dpo", towns[0])
    breach = record(officer, clock, towns[:1])
    confirm_all(breach, officer, clock)
    scheduler.tick(clock())
    deadline = breach.notices[0].authority_deadline_at
    for before in (25, 24, 7, 6, 0):
        clock.set(deadline - timedelta(hours=before))
        scheduler.tick(clock())
        scheduler.tick(clock())  # a second worker run at the same instant sends nothing more
    kinds = db.session.scalars(select(BreachReminder.kind).order_by(BreachReminder.id)).all()
    assert kinds == ["authority_24h", "authority_6h", "authority_passed"]
    sent = reminders()
    town_dpo = towns[0].dpo_email
    for address in (officer.email, dpo.email, town_dpo):
        assert len([m for m in sent if m.recipient == address]) == 3
    assert all(m.state == "sent" for m in sent[:-3])


def test_no_more_reminders_once_the_cnil_is_notified(app, clock, officer, towns, make_user):
    dpo = make_user("controller_dpo", towns[0])
    breach = record(officer, clock, towns[:1])
    confirm_all(breach, officer, clock)
    scheduler.tick(clock())
    notice = breach.notices[0]
    services.record_cnil_notification(
        notice.id,
        {"kind": "initial", "notified_at": clock(), "cnil_reference": "", "delay_reason": ""},
        actor=actor(dpo, clock),
        now=clock(),
    )
    clock.set(notice.authority_deadline_at + timedelta(hours=1))
    scheduler.tick(clock())
    assert reminders() == []


def test_a_late_cnil_notification_needs_its_reasons(app, clock, officer, towns, make_user):
    dpo = make_user("controller_dpo", towns[0])
    breach = record(officer, clock, towns[:1])
    confirm_all(breach, officer, clock)
    scheduler.tick(clock())
    notice = breach.notices[0]
    clock.set(notice.authority_deadline_at + timedelta(hours=5))
    late = {"kind": "initial", "notified_at": clock() - timedelta(hours=1), "delay_reason": ""}
    with pytest.raises(ValidationFailed) as err:
        services.record_cnil_notification(notice.id, late, actor=actor(dpo, clock), now=clock())
    assert "motifs du retard" in err.value.fields["delay_reason"][0]
    late["delay_reason"] = "Analyse technique du prestataire en cours"
    item = services.record_cnil_notification(notice.id, late, actor=actor(dpo, clock), now=clock())
    assert item.is_late
    with pytest.raises(ValidationFailed) as err:
        services.record_cnil_notification(notice.id, late, actor=actor(dpo, clock), now=clock())
    assert "kind" in err.value.fields
    complement = {"kind": "complementary", "notified_at": clock(), "delay_reason": ""}
    services.record_cnil_notification(notice.id, complement, actor=actor(dpo, clock), now=clock())
    assert [c.kind for c in notice.cnil_notifications] == ["initial", "complementary"]


def test_the_decision_follows_article_34(app, clock, officer, towns, make_user):
    dpo = make_user("controller_dpo", towns[0])
    breach = record(officer, clock, towns[:1])
    confirm_all(breach, officer, clock)
    notice = breach.notices[0]
    base = {
        "risk_level": "high",
        "risk_reasoning": "Données d'état civil exposées",
        "persons_information": "not_required",
        "persons_informed_on": None,
        "persons_information_means": "",
        "exemption": "",
        "public_communication": "",
    }
    with pytest.raises(ValidationFailed) as err:
        services.record_decision(notice.id, base, actor=actor(dpo, clock), now=clock())
    assert "persons_information" in err.value.fields
    exempted = {**base, "persons_information": "exempted", "exemption": "disproportionate_effort"}
    with pytest.raises(ValidationFailed) as err:
        services.record_decision(notice.id, exempted, actor=actor(dpo, clock), now=clock())
    assert "public_communication" in err.value.fields
    exempted["public_communication"] = "Avis sur le site de la mairie"
    decision = services.record_decision(notice.id, exempted, actor=actor(dpo, clock), now=clock())
    assert (decision.risk_level, decision.exemption) == ("high", "disproportionate_effort")


def test_roles_and_municipalities_for_notices(app, clock, officer, towns, make_user):
    breach = record(officer, clock, towns)
    metz, vitre = breach.notices
    dpo = make_user("controller_dpo", towns[0])
    with pytest.raises(NotFound):  # not yet confirmed: internal to the processor
        services.get_notice(metz.id, actor=actor(dpo, clock), now=clock())
    confirm_all(breach, officer, clock)
    assert services.get_notice(metz.id, actor=actor(dpo, clock), now=clock()) is metz
    with pytest.raises(NotFound):
        services.get_notice(vitre.id, actor=actor(dpo, clock), now=clock())
    with pytest.raises(Forbidden):
        services.confirm_notice(metz.id, actor=actor(dpo, clock), now=clock())
    instructor = make_user("instructor", towns[0])
    with pytest.raises(Forbidden):
        services.record_decision(metz.id, {}, actor=actor(instructor, clock), now=clock())
    with pytest.raises(Forbidden):
        services.get_notice(metz.id, actor=actor(make_user("support"), clock), now=clock())
