"""Every rule an audit notice must satisfy, all violations at once (annex art. 4.6)."""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from audit import dates
from audit.model import AuditorInput, AuditRequestInput, ContractTerms, PastAudit
from deadlines import PARIS, Calendar, Deadline, format_day_fr
from deadlines.instants import require_aware


@dataclass(frozen=True)
class Violation:
    """One broken rule: stable code, field, French message; waivable by the processor or not."""

    code: str
    field: str
    message: str
    waivable: bool = False


@dataclass(frozen=True)
class AuditCheck:
    """Everything the rules say about one notice (annex art. 4.6; DESIGN §3)."""

    violations: tuple[Violation, ...]
    latest_notice_on: date | None
    earliest_start_on: date
    refusal_deadline: Deadline
    next_allowed_start_on: date | None
    needs_processor_agreement: bool

    @property
    def is_acceptable(self) -> bool:
        """No violation, or only ones the processor may waive by its agreement (annex 4.6)."""
        return all(violation.waivable for violation in self.violations)


def firm_key(name: str) -> str:
    """A firm name compared without case, accents or extra spaces (annex art. 4.6)."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def check_request(
    request: AuditRequestInput,
    past_audits: Iterable[PastAudit],
    terms: ContractTerms,
    calendar: Calendar,
    now: datetime,
) -> AuditCheck:
    """Check an audit notice against every rule of the contract (annex art. 4.6; DESIGN §3)."""
    today = require_aware(now, field="now").astimezone(PARIS).date()
    violations: list[Violation] = []
    violations += _dates_violations(request)
    violations += _period_violations(request, today)
    violations += _auditor_violations(request, terms)

    earliest_start_on = dates.earliest_start_for_notice(request.notice_received_on, terms, calendar)
    latest_notice_on = None
    next_allowed_start_on = None
    if request.start_on is not None:
        latest_notice_on = dates.latest_notice(request.start_on, terms, calendar).deadline
        assert isinstance(latest_notice_on, date)
        if request.notice_received_on > latest_notice_on:
            violations.append(
                _notice_too_late(request, request.start_on, latest_notice_on, earliest_start_on)
            )
        if not request.is_reaudit:
            counting = [audit for audit in past_audits if audit.counts_toward_limit]
            blocking = _conflicts(request.start_on, counting, terms, calendar)
            if blocking:
                next_allowed_start_on = _next_allowed(request.start_on, counting, terms, calendar)
                if not request.has_processor_agreement:
                    violations += _limit_violations(
                        request.start_on, blocking, next_allowed_start_on, terms
                    )

    return AuditCheck(
        violations=tuple(violations),
        latest_notice_on=latest_notice_on,
        earliest_start_on=earliest_start_on,
        refusal_deadline=dates.refusal_deadline(request.notice_received_on, terms, calendar),
        next_allowed_start_on=next_allowed_start_on,
        needs_processor_agreement=any(violation.waivable for violation in violations),
    )


def _notice_too_late(
    request: AuditRequestInput, start_on: date, latest_on: date, earliest_on: date
) -> Violation:
    return Violation(
        "notice_too_late",
        "notice_received_on",
        f"Préavis insuffisant : reçu le {format_day_fr(request.notice_received_on)}, il devait "
        f"parvenir au plus tard le {format_day_fr(latest_on)} pour un audit commençant le "
        f"{format_day_fr(start_on)}. Avec ce préavis, l'audit peut commencer au plus tôt le "
        f"{format_day_fr(earliest_on)}.",
    )


def _dates_violations(request: AuditRequestInput) -> list[Violation]:
    found = []
    if request.start_on is None:
        found.append(Violation("start_missing", "start_on", "La date de début est obligatoire."))
    if request.end_on is None:
        found.append(Violation("end_missing", "end_on", "La date de fin est obligatoire."))
    if request.start_on and request.end_on and request.end_on < request.start_on:
        found.append(
            Violation(
                "end_before_start",
                "end_on",
                f"La date de fin ({format_day_fr(request.end_on)}) précède la date de début "
                f"({format_day_fr(request.start_on)}).",
            )
        )
    return found


def _period_violations(request: AuditRequestInput, today: date) -> list[Violation]:
    found = []
    if request.period_from is None:
        found.append(
            Violation(
                "period_from_missing", "period_from", "Le début de la période auditée manque."
            )
        )
    if request.period_to is None:
        found.append(
            Violation("period_to_missing", "period_to", "La fin de la période auditée manque.")
        )
    if request.period_from and request.period_to and request.period_to < request.period_from:
        found.append(
            Violation(
                "period_reversed",
                "period_to",
                f"La fin de la période auditée ({format_day_fr(request.period_to)}) précède "
                f"son début ({format_day_fr(request.period_from)}).",
            )
        )
    for field, value in (("period_from", request.period_from), ("period_to", request.period_to)):
        if value is not None and value > today:
            found.append(
                Violation(
                    "period_in_future",
                    field,
                    f"La période auditée ne peut pas être dans le futur : le "
                    f"{format_day_fr(value)} est après aujourd'hui ({format_day_fr(today)}).",
                )
            )
    return found


def _auditor_violations(request: AuditRequestInput, terms: ContractTerms) -> list[Violation]:
    if not request.auditors:
        return [Violation("no_auditor", "auditors", "Le préavis doit nommer au moins un auditeur.")]
    competitors = {firm_key(name): name for name in terms.competitors}
    found = []
    for index, auditor in enumerate(request.auditors):
        found += _auditor_identity(index, auditor)
        if not auditor.firm or not auditor.firm.strip():
            continue
        prefix = f"auditors[{index}]"
        competitor = competitors.get(firm_key(auditor.firm))
        if competitor is not None:
            found.append(
                Violation(
                    "auditor_competitor",
                    f"{prefix}.firm",
                    f"Le cabinet « {auditor.firm.strip()} » figure sur la liste des concurrents "
                    f"du sous-traitant (« {competitor} ») : il ne peut pas réaliser l'audit.",
                )
            )
        if request.is_reaudit and firm_key(auditor.firm) == firm_key(request.reaudit_of_firm or ""):
            found.append(
                Violation(
                    "reaudit_same_firm",
                    f"{prefix}.firm",
                    f"Le nouvel audit qui suit un rapport contesté doit être confié à un autre "
                    f"cabinet que « {request.reaudit_of_firm} ».",
                )
            )
    return found


_IDENTITY = (
    ("name", "auditor_name_missing", "le nom"),
    ("firm", "auditor_firm_missing", "le cabinet"),
    ("reference", "auditor_reference_missing", "la référence"),
)


def _auditor_identity(index: int, auditor: AuditorInput) -> list[Violation]:
    found = []
    for attribute, code, label in _IDENTITY:
        value = getattr(auditor, attribute)
        if value is None or not value.strip():
            found.append(
                Violation(
                    code,
                    f"auditors[{index}].{attribute}",
                    f"Auditeur n° {index + 1} : {label} est obligatoire.",
                )
            )
    if not auditor.has_signed_nda:
        found.append(
            Violation(
                "auditor_nda_missing",
                f"auditors[{index}].has_signed_nda",
                f"Auditeur n° {index + 1} : l'engagement de confidentialité signé est obligatoire.",
            )
        )
    return found


def _conflicts(
    start_on: date, audits: list[PastAudit], terms: ContractTerms, calendar: Calendar
) -> list[PastAudit]:
    """Counting audits less than the interval before or after ``start_on`` (annex art. 4.6)."""
    found = []
    for audit in audits:
        earlier, later = sorted((start_on, audit.start_on))
        if later < dates.next_allowed_start(earlier, terms, calendar).deadline:
            found.append(audit)
    return found


def _limit_violations(
    start_on: date, blocking: list[PastAudit], next_allowed_on: date, terms: ContractTerms
) -> list[Violation]:
    found = []
    months = terms.audit_interval_months
    for audit in blocking:
        if audit.start_on <= start_on:
            text = (
                f"Un autre audit ({audit.reference}) a commencé le "
                f"{format_day_fr(audit.start_on)}, moins de {months} mois avant le début "
                f"demandé ({format_day_fr(start_on)})."
            )
        else:
            text = (
                f"Un autre audit ({audit.reference}) est prévu le "
                f"{format_day_fr(audit.start_on)}, moins de {months} mois après le début "
                f"demandé ({format_day_fr(start_on)})."
            )
        found.append(
            Violation(
                "yearly_limit",
                "start_on",
                f"{text} Au plus un audit par période de {months} mois, sauf accord du "
                f"sous-traitant ; sans cet accord, début au plus tôt le "
                f"{format_day_fr(next_allowed_on)}.",
                waivable=True,
            )
        )
    return found


def _next_allowed(
    start_on: date, audits: list[PastAudit], terms: ContractTerms, calendar: Calendar
) -> date:
    """First start on/after ``start_on`` that no counting audit blocks (annex art. 4.6)."""
    candidate = start_on
    while blocking := _conflicts(candidate, audits, terms, calendar):
        latest = max(audit.start_on for audit in blocking)
        day = dates.next_allowed_start(latest, terms, calendar).deadline
        assert isinstance(day, date)
        candidate = day
    return candidate
