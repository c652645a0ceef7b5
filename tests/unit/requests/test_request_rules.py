from datetime import UTC, date, datetime

from rgpd_app.requests import rules

FIRST_END = datetime(2026, 3, 17, 23, 0, tzinfo=UTC)


def refusal(**over):
    values = {
        "reason": "complexity",
        "already_extended": False,
        "now": datetime(2026, 3, 17, 22, 59, tzinfo=UTC),
        "first_closes_at": FIRST_END,
        "first_day": date(2026, 3, 17),
    }
    values.update(over)
    return rules.extension_refusal(**values)


def test_an_extension_before_the_first_end_with_a_contract_reason_is_allowed():
    assert refusal() is None


def test_an_extension_at_the_first_end_is_too_late_and_names_the_day():
    found = refusal(now=FIRST_END)
    assert found.code == "extension_too_late" and "17/03/2026" in found.message


def test_an_extension_without_a_contract_reason_names_the_field():
    for reason in (None, "", "holidays"):
        found = refusal(reason=reason)
        assert found.code == "extension_reason" and found.field == "reason"


def test_the_period_is_extended_once_only():
    assert refusal(already_extended=True).code == "already_extended"


def test_identity_is_kept_through_the_anniversary_day_and_purged_the_day_after():
    assert rules.purge_day(date(2026, 3, 2), 12) == date(2027, 3, 3)
    assert rules.purge_day(date(2024, 2, 29), 12) == date(2025, 3, 1)  # 28 Feb 2025 is the end
    assert not rules.identity_purge_due(date(2026, 3, 2), 12, date(2027, 3, 2))
    assert rules.identity_purge_due(date(2026, 3, 2), 12, date(2027, 3, 3))
    assert not rules.identity_purge_due(None, 12, date(2030, 1, 1))


def test_help_in_time_compares_the_last_days():
    assert rules.arrives_in_time(date(2026, 3, 25), date(2026, 3, 25))
    assert not rules.arrives_in_time(date(2026, 3, 26), date(2026, 3, 25))
