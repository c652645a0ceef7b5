from datetime import UTC, date, datetime

from audit import (
    ContractTerms,
    corrective_deadline,
    next_allowed_start,
    observations_deadline,
    refusal_deadline,
)
from deadlines import calendar_for

FR = calendar_for("FR")
MOSELLE = calendar_for("57")
TERMS = ContractTerms()


def test_refusal_window_is_15_days_from_receipt_of_the_notice():
    deadline = refusal_deadline(date(2026, 3, 2), TERMS, FR)
    assert deadline.deadline == date(2026, 3, 17)
    assert deadline.closes_at == datetime(2026, 3, 17, 23, 0, tzinfo=UTC)


def test_refusal_window_ending_on_a_saturday_moves_to_monday_at_midnight_summer_time():
    deadline = refusal_deadline(date(2026, 5, 15), TERMS, FR)
    assert deadline.raw_end == date(2026, 5, 30)
    assert deadline.deadline == date(2026, 6, 1)
    assert deadline.closes_at == datetime(2026, 6, 1, 22, 0, tzinfo=UTC)


def test_refusal_window_on_good_friday_moves_past_easter_monday_in_moselle():
    assert refusal_deadline(date(2026, 3, 19), TERMS, FR).deadline == date(2026, 4, 3)
    assert refusal_deadline(date(2026, 3, 19), TERMS, MOSELLE).deadline == date(2026, 4, 7)


def test_refusal_window_on_26_december_moves_to_monday_in_moselle():
    assert refusal_deadline(date(2025, 12, 11), TERMS, FR).deadline == date(2025, 12, 26)
    assert refusal_deadline(date(2025, 12, 11), TERMS, MOSELLE).deadline == date(2025, 12, 29)


def test_observations_are_due_15_days_after_the_report():
    assert observations_deadline(date(2026, 7, 1), TERMS, FR).deadline == date(2026, 7, 16)
    # 15 August 2026 is a Saturday and a holiday.
    assert observations_deadline(date(2026, 7, 31), TERMS, FR).deadline == date(2026, 8, 17)


def test_corrective_measures_at_month_end_move_past_the_weekend():
    deadline = corrective_deadline(date(2026, 11, 30), TERMS, FR)
    assert deadline.raw_end == date(2027, 2, 28)
    assert deadline.deadline == date(2027, 3, 1)
    assert [step.code for step in deadline.steps] == [
        "start_day",
        "month_end_clamped",
        "moved_to_next_working_day",
        "closes_at",
    ]


def test_corrective_measures_on_assumption_day_move_to_monday():
    assert corrective_deadline(date(2026, 5, 15), TERMS, FR).deadline == date(2026, 8, 17)


def test_audit_lengths_come_from_the_contract():
    terms = ContractTerms.from_mapping(
        {"auditor_refusal_days": 10, "audit_observations_days": 30, "audit_corrective_months": 6}
    )
    assert refusal_deadline(date(2026, 3, 2), terms, FR).deadline == date(2026, 3, 12)
    assert observations_deadline(date(2026, 7, 1), terms, FR).deadline == date(2026, 7, 31)
    assert corrective_deadline(date(2026, 8, 31), terms, FR).deadline == date(2027, 3, 1)


def test_next_audit_clock_runs_12_months_from_the_previous_start():
    assert next_allowed_start(date(2026, 3, 2), TERMS, FR).deadline == date(2027, 3, 2)
    assert next_allowed_start(date(2025, 6, 13), TERMS, FR).deadline == date(2026, 6, 15)
    # 29 February 2028 has no counterpart in 2029.
    assert next_allowed_start(date(2028, 2, 29), TERMS, FR).deadline == date(2029, 2, 28)
