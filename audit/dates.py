"""The audit clocks of the contract, computed with the deadlines library (DESIGN §3)."""

from datetime import date, timedelta

from audit.model import ContractTerms
from deadlines import Calendar, Deadline, days_after, days_before, months_after


def latest_notice(start_on: date, terms: ContractTerms, calendar: Calendar) -> Deadline:
    """Latest day the notice may reach the processor (annex art. 4.6; CPC art. 641-642)."""
    return days_before(start_on, terms.audit_notice_days, calendar)


def earliest_start_for_notice(
    notice_received_on: date, terms: ContractTerms, calendar: Calendar
) -> date:
    """First start day whose latest notice day is on/after the receipt (annex art. 4.6)."""
    # The latest notice day never decreases as the start moves later, so the first start that
    # fits is found by walking forward from the first candidate (notice + N + 1 days); moving
    # earlier over non-working days can only push it a few days further.
    start_on = notice_received_on + timedelta(days=terms.audit_notice_days + 1)
    while latest_notice(start_on, terms, calendar).deadline < notice_received_on:
        start_on += timedelta(days=1)
    return start_on


def refusal_deadline(
    notice_received_on: date, terms: ContractTerms, calendar: Calendar
) -> Deadline:
    """End of the processor's window to refuse the auditor (annex art. 4.6; CPC art. 641-642)."""
    return days_after(notice_received_on, terms.auditor_refusal_days, calendar)


def observations_deadline(
    report_received_on: date, terms: ContractTerms, calendar: Calendar
) -> Deadline:
    """End of the processor's window for observations (annex art. 4.6; CPC art. 641-642)."""
    return days_after(report_received_on, terms.audit_observations_days, calendar)


def corrective_deadline(
    report_received_on: date, terms: ContractTerms, calendar: Calendar
) -> Deadline:
    """End of the corrective-measures period (annex art. 4.6; CPC art. 641 al. 2, 642)."""
    return months_after(report_received_on, terms.audit_corrective_months, calendar)


def next_allowed_start(
    previous_start_on: date, terms: ContractTerms, calendar: Calendar
) -> Deadline:
    """Earliest start of the next audit, its ``deadline`` day (annex art. 4.6; DESIGN §3)."""
    return months_after(previous_start_on, terms.audit_interval_months, calendar)


def auditor_access(
    accepted_on: date, end_on: date, report_received_on: date | None, terms: ContractTerms
) -> tuple[date, date]:
    """First and last day (inclusive, Paris calendar) of a named auditor's read access.

    From the day the audit is accepted until the report is received plus the contract's
    ``auditor_access_days`` (calendar days: access is not a procedural period, nothing moves
    it off a weekend). Before the report, the audit's announced end stands in for its receipt,
    so that access is never open-ended; a report received late extends it, an early one ends
    it sooner.
    """
    anchor = report_received_on if report_received_on is not None else end_on
    return accepted_on, max(anchor, accepted_on) + timedelta(days=terms.auditor_access_days)
