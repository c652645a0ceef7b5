from datetime import UTC, date, datetime

import pytest

from deadlines import CLOCKS, PARIS, Clock, DeadlineError, calendar_for, compute_clock

FR = calendar_for("FR")


def test_the_clock_table_has_exactly_the_contract_clocks_and_defaults():
    table = {
        name: (clock.kind, clock.default_length, clock.parameter, clock.extension_default)
        for name, clock in CLOCKS.items()
    }
    assert table == {
        "breach-processor": ("hours", 24, "breach_processor_hours", None),
        "breach-authority": ("hours", 72, "breach_authority_hours", None),
        "subprocessor-objection": ("days", 7, "objection_days", None),
        "audit-notice": ("days_before", 30, "audit_notice_days", None),
        "auditor-refusal": ("days", 15, "auditor_refusal_days", None),
        "audit-observations": ("days", 15, "audit_observations_days", None),
        "audit-corrective": ("months", 3, "audit_corrective_months", None),
        "next-audit": ("months", 12, "audit_interval_months", None),
        "assistance": ("days", 15, "assistance_days", None),
        "assistance-extended": ("days", 15, "assistance_days", 8),
    }
    assert all(isinstance(clock, Clock) and clock.label for clock in CLOCKS.values())
    assert CLOCKS["assistance-extended"].extension_parameter == "assistance_extension_days"


AWARE_AT = datetime(2026, 3, 28, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("name", "start", "lengths", "expected"),
    [
        ("breach-processor", AWARE_AT, {}, datetime(2026, 3, 29, 9, 0, tzinfo=UTC)),
        (
            "breach-processor",
            AWARE_AT,
            {"breach_processor_hours": 12},
            datetime(2026, 3, 28, 21, 0, tzinfo=UTC),
        ),
        ("breach-authority", AWARE_AT, {}, datetime(2026, 3, 31, 9, 0, tzinfo=UTC)),
        (
            "breach-authority",
            AWARE_AT,
            {"breach_authority_hours": 48},
            datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
        ),
        ("subprocessor-objection", date(2026, 5, 1), {}, date(2026, 5, 11)),
        ("subprocessor-objection", date(2026, 5, 1), {"objection_days": 10}, date(2026, 5, 11)),
        ("subprocessor-objection", date(2026, 5, 1), {"objection_days": 12}, date(2026, 5, 13)),
        ("audit-notice", date(2026, 6, 15), {}, date(2026, 5, 15)),
        ("audit-notice", date(2026, 6, 15), {"audit_notice_days": 45}, date(2026, 4, 30)),
        ("auditor-refusal", date(2026, 4, 23), {}, date(2026, 5, 11)),
        ("auditor-refusal", date(2026, 4, 23), {"auditor_refusal_days": 20}, date(2026, 5, 13)),
        ("audit-observations", date(2026, 6, 1), {}, date(2026, 6, 16)),
        ("audit-observations", date(2026, 6, 1), {"audit_observations_days": 30}, date(2026, 7, 1)),
        ("audit-corrective", date(2026, 11, 30), {}, date(2027, 3, 1)),
        (
            "audit-corrective",
            date(2026, 11, 30),
            {"audit_corrective_months": 1},
            date(2026, 12, 30),
        ),
        ("next-audit", date(2025, 7, 14), {}, date(2026, 7, 15)),
        ("next-audit", date(2025, 7, 14), {"audit_interval_months": 24}, date(2027, 7, 15)),
        ("assistance", date(2026, 4, 23), {}, date(2026, 5, 11)),
        ("assistance", date(2026, 4, 23), {"assistance_days": 30}, date(2026, 5, 26)),
        # 8 May (holiday, unmoved end) + 8 → Saturday 16 May → Monday 18 May.
        ("assistance-extended", date(2026, 4, 23), {}, date(2026, 5, 18)),
        (
            "assistance-extended",
            date(2026, 4, 23),
            {"assistance_days": 10, "assistance_extension_days": 3},
            date(2026, 5, 6),  # Sunday 3 May (unmoved) + 3 days → Wednesday 6 May
        ),
    ],
)
def test_every_clock_with_defaults_and_with_a_per_contract_override(name, start, lengths, expected):
    deadline = compute_clock(name, start, FR, lengths)
    assert deadline.deadline == expected
    assert deadline.kind == CLOCKS[name].kind or name == "assistance-extended"
    assert deadline.steps[0].code == "clock"
    origin = "valeur prévue au contrat" if lengths else "valeur par défaut"
    assert origin in deadline.steps[0].text


def test_other_contract_parameters_are_ignored():
    deadline = compute_clock("assistance", date(2026, 4, 23), FR, {"objection_days": 1})
    assert deadline.length == 15


def test_an_hour_clock_refuses_a_date_start():
    with pytest.raises(DeadlineError) as caught:
        compute_clock("breach-authority", date(2026, 3, 28), FR)
    assert caught.value.code == "bad_start"
    assert caught.value.field == "start"
    assert "une heure est nécessaire" in str(caught.value)


def test_an_hour_clock_refuses_a_naive_start():
    with pytest.raises(DeadlineError) as caught:
        compute_clock("breach-processor", datetime(2026, 3, 28, 10, 0), FR)
    assert caught.value.code == "naive_datetime"


def test_a_day_clock_counts_from_the_paris_date_of_an_instant_and_says_so():
    # 22:30 UTC on 30 April is 00:30 on 1 May in Paris.
    deadline = compute_clock(
        "subprocessor-objection", datetime(2026, 4, 30, 22, 30, tzinfo=UTC), FR
    )
    assert deadline.start == date(2026, 5, 1)
    assert deadline.deadline == date(2026, 5, 11)
    assert deadline.steps[1].code == "start_converted"
    assert "vendredi 1er mai 2026 à 00:30" in deadline.steps[1].text


def test_the_clock_uses_the_controller_calendar():
    assert compute_clock("assistance", date(2026, 3, 19), FR).deadline == date(2026, 4, 3)
    moselle = calendar_for("57")
    assert compute_clock("assistance", date(2026, 3, 19), moselle).deadline == date(2026, 4, 7)


def test_unknown_clock_is_refused_with_its_code_and_field():
    with pytest.raises(DeadlineError) as caught:
        compute_clock("coffee-break", date(2026, 3, 19), FR)
    assert caught.value.code == "unknown_clock"
    assert caught.value.field == "clock"
    assert "coffee-break" in str(caught.value)


@pytest.mark.parametrize("bad", [-1, "7", 2.5, True])
def test_a_bad_per_contract_length_names_its_parameter(bad):
    with pytest.raises(DeadlineError) as caught:
        compute_clock("subprocessor-objection", date(2026, 5, 1), FR, {"objection_days": bad})
    assert caught.value.code == "bad_length"
    assert caught.value.field == "objection_days"
