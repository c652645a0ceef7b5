from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from audit import (
    AuditorInput,
    AuditRequestInput,
    ContractTerms,
    check_request,
    earliest_start_for_notice,
    latest_notice,
)
from deadlines import calendar_for

FR = calendar_for("FR")
MOSELLE = calendar_for("57")
TERMS = ContractTerms()
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
AUDITOR = AuditorInput("Claire Martin", "Cabinet Vérif", "CV-2026-01", has_signed_nda=True)


def make_request(notice_received_on: date, start_on: date, **overrides) -> AuditRequestInput:
    values = {
        "notice_received_on": notice_received_on,
        "start_on": start_on,
        "end_on": start_on + timedelta(days=2),
        "period_from": date(2025, 1, 1),
        "period_to": date(2025, 12, 31),
        "auditors": (AUDITOR,),
    }
    values.update(overrides)
    return AuditRequestInput(**values)


def codes(check) -> list[str]:
    return [violation.code for violation in check.violations]


def test_notice_received_exactly_30_clear_days_before_is_accepted():
    check = check_request(make_request(date(2026, 5, 15), date(2026, 6, 15)), [], TERMS, FR, NOW)
    assert check.violations == ()
    assert check.latest_notice_on == date(2026, 5, 15)
    assert check.earliest_start_on == date(2026, 6, 15)
    assert check.is_acceptable
    assert not check.needs_processor_agreement


def test_notice_one_day_late_is_refused_with_the_earliest_start_it_allows():
    check = check_request(make_request(date(2026, 5, 16), date(2026, 6, 15)), [], TERMS, FR, NOW)
    assert codes(check) == ["notice_too_late"]
    violation = check.violations[0]
    assert violation.field == "notice_received_on"
    assert not violation.waivable
    assert not check.is_acceptable
    # 16 June and 17 June would need a notice by Friday 15 May (the weekend moves earlier).
    assert check.earliest_start_on == date(2026, 6, 18)
    assert "samedi 16 mai 2026" in violation.message
    assert "vendredi 15 mai 2026" in violation.message
    assert "lundi 15 juin 2026" in violation.message
    assert "jeudi 18 juin 2026" in violation.message


def test_latest_notice_day_on_a_saturday_moves_before_the_8_may_holiday():
    deadline = latest_notice(date(2026, 6, 9), TERMS, FR)
    assert deadline.raw_end == date(2026, 5, 9)
    assert deadline.deadline == date(2026, 5, 7)
    assert [step.code for step in deadline.steps] == [
        "days_before_counted",
        "moved_to_previous_working_day",
        "closes_at",
    ]
    assert check_request(make_request(date(2026, 5, 7), date(2026, 6, 9)), [], TERMS, FR, NOW)
    late = check_request(make_request(date(2026, 5, 8), date(2026, 6, 9)), [], TERMS, FR, NOW)
    assert codes(late) == ["notice_too_late"]
    assert late.latest_notice_on == date(2026, 5, 7)


def test_good_friday_moves_the_latest_notice_day_earlier_only_in_moselle():
    request = make_request(date(2026, 4, 3), date(2026, 5, 4))
    metropolitan = check_request(request, [], TERMS, FR, NOW)
    moselle = check_request(request, [], TERMS, MOSELLE, NOW)
    assert metropolitan.violations == ()
    assert metropolitan.latest_notice_on == date(2026, 4, 3)
    assert metropolitan.earliest_start_on == date(2026, 5, 4)
    assert codes(moselle) == ["notice_too_late"]
    assert moselle.latest_notice_on == date(2026, 4, 2)
    # 5-7 May lead back over the Easter weekend and Easter Monday; 8 May leads to Tue 7 April.
    assert moselle.earliest_start_on == date(2026, 5, 8)


def test_notice_length_comes_from_the_contract():
    terms = ContractTerms.from_mapping({"audit_notice_days": 45})
    check = check_request(make_request(date(2026, 5, 15), date(2026, 6, 15)), [], terms, FR, NOW)
    assert codes(check) == ["notice_too_late"]
    assert check.latest_notice_on == date(2026, 4, 30)
    assert check.earliest_start_on == date(2026, 6, 30)


def test_a_notice_received_after_the_start_is_too_late():
    check = check_request(make_request(date(2026, 6, 17), date(2026, 6, 15)), [], TERMS, FR, NOW)
    assert codes(check) == ["notice_too_late"]
    assert check.earliest_start_on == date(2026, 7, 18)


def test_a_notice_received_on_a_saturday_allows_only_starts_whose_latest_day_is_after_it():
    # Starts on 21 and 22 July lead back to Saturday 20 / Sunday 21 June, which move earlier
    # to Friday 19 June, before the notice: the first start that fits is Thursday 23 July.
    check = check_request(make_request(date(2026, 6, 20), date(2026, 7, 21)), [], TERMS, FR, NOW)
    assert codes(check) == ["notice_too_late"]
    assert check.latest_notice_on == date(2026, 6, 19)
    assert check.earliest_start_on == date(2026, 7, 23)


@given(
    notice=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    code=st.sampled_from(["FR", "57"]),
    days=st.integers(min_value=0, max_value=60),
)
def test_earliest_start_is_the_first_day_the_notice_allows(notice, code, days):
    calendar = calendar_for(code)
    terms = ContractTerms(audit_notice_days=days)
    start = earliest_start_for_notice(notice, terms, calendar)
    assert latest_notice(start, terms, calendar).deadline >= notice
    assert latest_notice(start - timedelta(days=1), terms, calendar).deadline < notice
    assert start - notice <= timedelta(days=days + 1 + 6)
