"""A named auditor's read access: from acceptance to the report's receipt + N days (art. 4.6)."""

from datetime import date

import pytest

from audit import ContractTerms, auditor_access
from audit.errors import AuditRuleError

TERMS = ContractTerms()  # 30 days after the report


def test_access_runs_from_acceptance_to_30_days_after_the_report():
    # Accepted Tue 17 March 2026, audit 2–3 April, report received Mon 4 May.
    assert auditor_access(date(2026, 3, 17), date(2026, 4, 3), date(2026, 5, 4), TERMS) == (
        date(2026, 3, 17),
        date(2026, 6, 3),
    )


def test_before_the_report_the_announced_end_stands_in_for_it():
    assert auditor_access(date(2026, 3, 17), date(2026, 4, 3), None, TERMS) == (
        date(2026, 3, 17),
        date(2026, 5, 3),
    )


def test_calendar_days_across_a_month_end_and_a_year_end_nothing_moved_off_a_sunday():
    # Report received Fri 4 Dec 2026: + 30 days = Sun 3 Jan 2027, kept (not a deadline).
    _, last = auditor_access(date(2026, 11, 2), date(2026, 11, 20), date(2026, 12, 4), TERMS)
    assert last == date(2027, 1, 3)
    # 31 January + 30 days in a non-leap and a leap year.
    assert auditor_access(date(2026, 1, 5), date(2026, 1, 31), None, TERMS)[1] == date(2026, 3, 2)
    assert auditor_access(date(2028, 1, 5), date(2028, 1, 31), None, TERMS)[1] == date(2028, 3, 1)


def test_a_shorter_contract_and_zero_days():
    ten = ContractTerms(auditor_access_days=10)
    assert auditor_access(date(2026, 3, 17), date(2026, 4, 3), date(2026, 4, 6), ten)[1] == date(
        2026, 4, 16
    )
    zero = ContractTerms(auditor_access_days=0)
    assert auditor_access(date(2026, 3, 17), date(2026, 4, 3), date(2026, 4, 6), zero) == (
        date(2026, 3, 17),
        date(2026, 4, 6),
    )


def test_a_report_dated_before_acceptance_never_ends_access_before_it_began():
    first, last = auditor_access(date(2026, 5, 10), date(2026, 4, 3), date(2026, 5, 4), TERMS)
    assert first == date(2026, 5, 10) and last == date(2026, 6, 9) and last >= first


def test_a_negative_length_is_refused_naming_the_parameter():
    with pytest.raises(AuditRuleError) as caught:
        ContractTerms(auditor_access_days=-1)
    assert caught.value.field == "auditor_access_days"
