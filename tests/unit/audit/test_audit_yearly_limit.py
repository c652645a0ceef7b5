from datetime import UTC, date, datetime, timedelta

from audit import AuditorInput, AuditRequestInput, ContractTerms, PastAudit, check_request
from deadlines import calendar_for

FR = calendar_for("FR")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TERMS = ContractTerms()
AUDITOR = AuditorInput("Claire Martin", "Cabinet Vérif", "CV-2026-01", has_signed_nda=True)


def make_request(start_on: date, **overrides) -> AuditRequestInput:
    values = {
        "notice_received_on": date(2026, 3, 10),
        "start_on": start_on,
        "end_on": start_on + timedelta(days=1),
        "period_from": date(2025, 1, 1),
        "period_to": date(2025, 12, 31),
        "auditors": (AUDITOR,),
    }
    values.update(overrides)
    return AuditRequestInput(**values)


def check(request, past, terms=TERMS):
    return check_request(request, past, terms, FR, NOW)


def test_an_audit_within_12_months_of_the_previous_one_needs_the_processors_agreement():
    result = check(make_request(date(2026, 6, 15)), [PastAudit("AUD-1", date(2026, 3, 2))])
    assert [v.code for v in result.violations] == ["yearly_limit"]
    violation = result.violations[0]
    assert violation.waivable
    assert violation.field == "start_on"
    assert "AUD-1" in violation.message
    assert "a commencé le lundi 2 mars 2026" in violation.message
    assert "mardi 2 mars 2027" in violation.message
    assert result.next_allowed_start_on == date(2027, 3, 2)
    assert result.needs_processor_agreement
    assert result.is_acceptable


def test_the_processors_recorded_agreement_lifts_the_yearly_limit():
    request = make_request(date(2026, 6, 15), has_processor_agreement=True)
    result = check(request, [PastAudit("AUD-1", date(2026, 3, 2))])
    assert result.violations == ()
    assert not result.needs_processor_agreement
    assert result.next_allowed_start_on == date(2027, 3, 2)


def test_an_audit_planned_within_the_next_12_months_blocks_the_request():
    result = check(make_request(date(2026, 6, 15)), [PastAudit("AUD-2", date(2027, 1, 11))])
    assert [v.code for v in result.violations] == ["yearly_limit"]
    assert "est prévu le lundi 11 janvier 2027" in result.violations[0].message
    assert result.next_allowed_start_on == date(2028, 1, 11)


def test_an_audit_planned_12_months_later_or_more_does_not_block():
    result = check(make_request(date(2026, 6, 15)), [PastAudit("AUD-2", date(2027, 6, 15))])
    assert result.violations == ()
    assert result.next_allowed_start_on is None


def test_the_next_audit_clock_moves_past_a_weekend():
    # 12 months after Friday 13 June 2025 is Saturday 13 June 2026 → Monday 15 June 2026.
    previous = [PastAudit("AUD-0", date(2025, 6, 13))]
    assert check(make_request(date(2026, 6, 15)), previous).violations == ()
    blocked = check(make_request(date(2026, 6, 12)), previous)
    assert [v.code for v in blocked.violations] == ["yearly_limit"]
    assert blocked.next_allowed_start_on == date(2026, 6, 15)


def test_an_audit_on_the_same_day_as_another_is_blocked():
    result = check(make_request(date(2026, 6, 15)), [PastAudit("AUD-3", date(2026, 6, 15))])
    assert [v.code for v in result.violations] == ["yearly_limit"]
    assert result.next_allowed_start_on == date(2027, 6, 15)


def test_refused_cancelled_and_reaudits_do_not_count():
    past = [
        PastAudit("AUD-R", date(2026, 3, 2), is_refused_or_cancelled=True),
        PastAudit("AUD-C", date(2027, 1, 11), is_refused_or_cancelled=True),
        PastAudit("AUD-B", date(2026, 4, 1), is_reaudit=True),
    ]
    result = check(make_request(date(2026, 6, 15)), past)
    assert result.violations == ()
    assert result.next_allowed_start_on is None


def test_a_reaudit_after_a_contested_report_is_not_limited():
    request = make_request(date(2026, 6, 15), reaudit_of_firm="Audit & Associés")
    result = check(request, [PastAudit("AUD-1", date(2026, 3, 2))])
    assert result.violations == ()
    assert result.next_allowed_start_on is None


def test_every_blocking_audit_is_reported_and_the_next_start_clears_them_all():
    past = [PastAudit("AUD-1", date(2026, 3, 2)), PastAudit("AUD-2", date(2027, 1, 11))]
    result = check(make_request(date(2026, 6, 15)), past)
    assert [v.code for v in result.violations] == ["yearly_limit", "yearly_limit"]
    assert result.next_allowed_start_on == date(2028, 1, 11)


def test_the_interval_comes_from_the_contract():
    terms = ContractTerms(audit_interval_months=6)
    previous = [PastAudit("AUD-1", date(2026, 3, 2))]
    blocked = check(make_request(date(2026, 6, 15)), previous, terms)
    assert blocked.next_allowed_start_on == date(2026, 9, 2)
    assert "6 mois" in blocked.violations[0].message
    assert check(make_request(date(2026, 9, 2)), previous, terms).violations == ()
