"""Plain values the audit rules work on (annex art. 4.6): request, past audits, contract terms."""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

from audit.errors import AuditRuleError


@dataclass(frozen=True)
class AuditorInput:
    """One auditor named in the notice, with the confidentiality agreement (annex art. 4.6)."""

    name: str | None
    firm: str | None
    reference: str | None
    has_signed_nda: bool = False


@dataclass(frozen=True)
class AuditRequestInput:
    """An audit notice as received by the processor (annex art. 4.6).

    ``reaudit_of_firm`` is the firm whose report was contested when this audit is the new audit
    that follows; such an audit does not count toward the yearly limit.
    """

    notice_received_on: date
    start_on: date | None
    end_on: date | None
    period_from: date | None
    period_to: date | None
    auditors: tuple[AuditorInput, ...] = ()
    has_processor_agreement: bool = False
    reaudit_of_firm: str | None = None

    @property
    def is_reaudit(self) -> bool:
        """True for the new audit that follows a contested report (annex art. 4.6)."""
        return self.reaudit_of_firm is not None


@dataclass(frozen=True)
class PastAudit:
    """Another audit of the same controller, past or planned (annex art. 4.6, yearly limit)."""

    reference: str
    start_on: date
    is_refused_or_cancelled: bool = False
    is_reaudit: bool = False

    @property
    def counts_toward_limit(self) -> bool:
        """Refused, cancelled and re-audits after a contested report do not count (art. 4.6)."""
        return not (self.is_refused_or_cancelled or self.is_reaudit)


@dataclass(frozen=True)
class ContractTerms:
    """The contract's audit lengths and the processor's competitors (annex art. 4.6; DESIGN §3)."""

    audit_notice_days: int = 30
    auditor_refusal_days: int = 15
    audit_observations_days: int = 15
    audit_corrective_months: int = 3
    audit_interval_months: int = 12
    auditor_access_days: int = 30
    competitors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for item in fields(self):
            if item.name == "competitors":
                continue
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise AuditRuleError(
                    "bad_terms",
                    f"La durée « {value} » du paramètre {item.name} doit être un nombre entier "
                    "positif ou nul.",
                    field=item.name,
                )

    @classmethod
    def from_mapping(
        cls, parameters: Mapping[str, int] | None, *, competitors: tuple[str, ...] = ()
    ) -> "ContractTerms":
        """Terms from the contract's parameters; missing keys take the defaults (DESIGN §3)."""
        known = {item.name for item in fields(cls)} - {"competitors"}
        chosen = {key: value for key, value in (parameters or {}).items() if key in known}
        return cls(**chosen, competitors=tuple(competitors))
