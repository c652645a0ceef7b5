from datetime import UTC, date, datetime

import pytest

from audit import (
    AuditorInput,
    AuditRequestInput,
    AuditRuleError,
    ContractTerms,
    PastAudit,
    check_request,
    firm_key,
)
from deadlines import PARIS, DeadlineError, calendar_for

FR = calendar_for("FR")
NOW = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
AUDITOR = AuditorInput("Claire Martin", "Cabinet Vérif", "CV-2026-01", has_signed_nda=True)


def make_request(**overrides) -> AuditRequestInput:
    values = {
        "notice_received_on": date(2026, 5, 15),
        "start_on": date(2026, 6, 15),
        "end_on": date(2026, 6, 17),
        "period_from": date(2025, 1, 1),
        "period_to": date(2025, 12, 31),
        "auditors": (AUDITOR,),
    }
    values.update(overrides)
    return AuditRequestInput(**values)


def check(request, past=(), terms=None, now=NOW):
    return check_request(request, list(past), terms or ContractTerms(), FR, now)


def fields_by_code(result) -> dict[str, str]:
    return {violation.code: violation.field for violation in result.violations}


def test_a_complete_request_has_no_violation_and_gives_the_refusal_deadline():
    result = check(make_request())
    assert result.violations == ()
    assert result.refusal_deadline.deadline == date(2026, 6, 1)
    assert result.next_allowed_start_on is None


def test_missing_dates_are_named_by_field():
    result = check(make_request(start_on=None, end_on=None))
    assert fields_by_code(result) == {"start_missing": "start_on", "end_missing": "end_on"}
    assert result.latest_notice_on is None
    assert result.earliest_start_on == date(2026, 6, 15)


def test_end_before_start_is_refused():
    result = check(make_request(end_on=date(2026, 6, 14)))
    assert fields_by_code(result) == {"end_before_start": "end_on"}
    assert "dimanche 14 juin 2026" in result.violations[0].message


def test_a_one_day_audit_is_allowed():
    assert check(make_request(end_on=date(2026, 6, 15))).violations == ()


def test_the_audited_period_must_be_given_and_in_order():
    missing = check(make_request(period_from=None, period_to=None))
    assert fields_by_code(missing) == {
        "period_from_missing": "period_from",
        "period_to_missing": "period_to",
    }
    reversed_period = check(make_request(period_from=date(2025, 6, 1), period_to=date(2025, 5, 31)))
    assert fields_by_code(reversed_period) == {"period_reversed": "period_to"}


def test_the_audited_period_may_end_today_but_not_tomorrow_in_paris_time():
    assert check(make_request(period_to=date(2026, 5, 20))).violations == ()
    result = check(make_request(period_to=date(2026, 5, 21)))
    assert fields_by_code(result) == {"period_in_future": "period_to"}
    assert "jeudi 21 mai 2026" in result.violations[0].message
    # 22:30 UTC on 20 May is already 21 May at 00:30 in Paris (summer time).
    late_evening = datetime(2026, 5, 20, 22, 30, tzinfo=UTC)
    assert check(make_request(period_to=date(2026, 5, 21)), now=late_evening).violations == ()


def test_at_least_one_auditor_is_named():
    result = check(make_request(auditors=()))
    assert fields_by_code(result) == {"no_auditor": "auditors"}


def test_every_auditor_needs_name_firm_reference_and_signed_agreement():
    second = AuditorInput(name="  ", firm=None, reference="", has_signed_nda=False)
    result = check(make_request(auditors=(AUDITOR, second)))
    assert fields_by_code(result) == {
        "auditor_name_missing": "auditors[1].name",
        "auditor_firm_missing": "auditors[1].firm",
        "auditor_reference_missing": "auditors[1].reference",
        "auditor_nda_missing": "auditors[1].has_signed_nda",
    }
    assert all(v.message.startswith("Auditeur n° 2 :") for v in result.violations)


def test_missing_reference_and_agreement_are_reported_together():
    auditor = AuditorInput("Claire Martin", "Cabinet Vérif", None, has_signed_nda=False)
    result = check(make_request(auditors=(auditor,)))
    assert [v.code for v in result.violations] == [
        "auditor_reference_missing",
        "auditor_nda_missing",
    ]
    assert not result.is_acceptable


def test_firm_names_compare_without_case_accents_or_extra_spaces():
    assert firm_key("  Sécurité   Conseil SARL ") == firm_key("SECURITE conseil sarl")
    assert firm_key("Éts Dupont") == "ets dupont"
    assert firm_key("Securite Conseil") != firm_key("Sécurité Conseil SARL")


def test_an_auditor_from_a_competitor_is_refused_whatever_the_case_and_accents():
    terms = ContractTerms(competitors=("Logiciels Publics", "Sécurité Conseil SARL"))
    auditor = AuditorInput("Paul Durand", "SECURITE  conseil sarl", "SC-7", has_signed_nda=True)
    result = check(make_request(auditors=(AUDITOR, auditor)), terms=terms)
    assert fields_by_code(result) == {"auditor_competitor": "auditors[1].firm"}
    assert not result.violations[0].waivable
    assert "Sécurité Conseil SARL" in result.violations[0].message
    assert check(make_request(), terms=terms).violations == ()


def test_a_reaudit_after_a_contested_report_needs_another_firm():
    same = check(make_request(reaudit_of_firm="cabinet verif"))
    assert fields_by_code(same) == {"reaudit_same_firm": "auditors[0].firm"}
    other = check(make_request(reaudit_of_firm="Audit & Associés"))
    assert other.violations == ()


def test_every_violation_is_returned_together():
    terms = ContractTerms(competitors=("Cabinet Verif",))
    auditor = AuditorInput("Claire Martin", "cabinet vérif", None, has_signed_nda=False)
    request = make_request(
        notice_received_on=date(2026, 5, 16),
        end_on=date(2026, 6, 1),
        period_from=date(2026, 1, 1),
        period_to=date(2025, 12, 31),
        auditors=(auditor,),
    )
    past = [PastAudit("AUD-2026-001", date(2026, 3, 2))]
    result = check(request, past, terms)
    assert [v.code for v in result.violations] == [
        "end_before_start",
        "period_reversed",
        "auditor_reference_missing",
        "auditor_nda_missing",
        "auditor_competitor",
        "notice_too_late",
        "yearly_limit",
    ]
    assert [v.waivable for v in result.violations] == [False] * 6 + [True]
    assert result.needs_processor_agreement
    assert not result.is_acceptable
    assert result.earliest_start_on == date(2026, 6, 18)
    assert result.next_allowed_start_on == date(2027, 3, 2)


def test_a_naive_now_is_refused():
    with pytest.raises(DeadlineError) as caught:
        check(make_request(), now=datetime(2026, 5, 20, 10, 0))
    assert caught.value.code == "naive_datetime"


def test_now_in_paris_time_is_accepted():
    assert check(make_request(), now=datetime(2026, 5, 20, 10, 0, tzinfo=PARIS)).violations == ()


def test_contract_terms_take_defaults_and_ignore_other_clocks():
    assert ContractTerms.from_mapping(None) == ContractTerms(30, 15, 15, 3, 12)
    terms = ContractTerms.from_mapping(
        {"auditor_refusal_days": 10, "objection_days": 7}, competitors=("A",)
    )
    assert terms == ContractTerms(auditor_refusal_days=10, competitors=("A",))


@pytest.mark.parametrize("value", [-1, "15", 1.5, True, None])
def test_contract_terms_refuse_bad_lengths(value):
    with pytest.raises(AuditRuleError) as caught:
        ContractTerms.from_mapping({"audit_interval_months": value})
    assert caught.value.code == "bad_terms"
    assert caught.value.field == "audit_interval_months"
