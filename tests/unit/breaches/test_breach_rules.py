"""Pure breach rules, literal dates (GDPR art. 33 and 34; DESIGN §3)."""

from datetime import UTC, datetime, timedelta

from rgpd_app.breaches import rules

END = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)


def test_the_clock_starts_at_the_earliest_proof_of_reception():
    mail, ack = datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert rules.reached_at(mail, ack) == ack
    assert rules.reached_at(mail, None) == mail
    assert rules.reached_at(None, None) is None


def test_hours_left_is_negative_once_passed_and_none_before_the_clock_starts():
    assert rules.hours_left(END, END - timedelta(hours=5, minutes=30)) == 5.5
    assert rules.hours_left(END, END + timedelta(hours=2)) == -2.0
    assert rules.hours_left(None, END) is None


def test_reminders_follow_the_thresholds_once_each():
    due = rules.reminder_due
    assert due(deadline=END, now=END - timedelta(hours=25), sent=set(), settled=False) is None
    assert due(deadline=END, now=END - timedelta(hours=24), sent=set(), settled=False) == (
        "authority_24h"
    )
    sent = {"authority_24h"}
    assert due(deadline=END, now=END - timedelta(hours=7), sent=sent, settled=False) is None
    assert due(deadline=END, now=END - timedelta(hours=6), sent=sent, settled=False) == (
        "authority_6h"
    )
    assert due(deadline=END, now=END, sent=sent | {"authority_6h"}, settled=False) == (
        "authority_passed"
    )


def test_a_worker_stopped_past_the_end_sends_only_the_passed_reminder():
    assert rules.reminder_due(
        deadline=END, now=END + timedelta(days=1), sent=set(), settled=False
    ) == ("authority_passed")


def test_no_reminder_once_the_cnil_is_notified_or_no_risk_is_found():
    assert rules.is_settled(risk_level=None, cnil_kinds=["initial"])
    assert rules.is_settled(risk_level="none", cnil_kinds=[])
    assert not rules.is_settled(risk_level="high", cnil_kinds=[])
    assert rules.reminder_due(deadline=END, now=END, sent=set(), settled=True) is None


def test_the_processor_target_is_escalated_until_the_notice_reached_the_municipality():
    target = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    assert rules.escalation_due(target=target, now=target, notified_at=None, sent=set())
    assert not rules.escalation_due(target=target, now=target, notified_at=target, sent=set())
    assert not rules.escalation_due(
        target=target, now=target, notified_at=None, sent={"processor_target"}
    )


def test_a_late_initial_notification_needs_reasons_a_complementary_one_does_not():
    late = END + timedelta(hours=1)
    common = {"deadline": END, "now": late + timedelta(hours=1)}
    errors = rules.cnil_problems(
        kind="initial", notified_at=late, delay_reason=" ", initial_at=None, **common
    )
    assert list(errors) == ["delay_reason"]
    assert not rules.cnil_problems(
        kind="complementary", notified_at=late, delay_reason="", initial_at=END, **common
    )
    assert "kind" in rules.cnil_problems(
        kind="complementary", notified_at=late, delay_reason="", initial_at=None, **common
    )


def test_facts_in_the_wrong_order_are_refused():
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    facts = {
        **rules.EMPTY_FACTS,
        "started_at": now - timedelta(hours=1),
        "ended_at": now - timedelta(hours=2),
        "is_ongoing": True,
        "aware_at": now - timedelta(hours=3),
        "natures": ["integrity"],
    }
    errors = rules.fact_problems(facts, now=now)
    assert set(errors) >= {"ended_at", "aware_at", "discovery", "description"}
    assert len(errors["ended_at"]) == 2
