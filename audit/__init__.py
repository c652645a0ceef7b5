"""Audit rules of the data-processing annex (art. 4.6): pure, values in, decisions out.

No clock read, no database: the request, the other audits of the controller, the contract's
terms, the controller's calendar and ``now`` are parameters. Clocks come from ``deadlines``.
"""

from audit.checks import AuditCheck, Violation, check_request, firm_key
from audit.dates import (
    auditor_access,
    corrective_deadline,
    earliest_start_for_notice,
    latest_notice,
    next_allowed_start,
    observations_deadline,
    refusal_deadline,
)
from audit.errors import AuditRuleError
from audit.model import AuditorInput, AuditRequestInput, ContractTerms, PastAudit
from audit.states import (
    ACTION_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    AuditAction,
    AuditState,
    allowed_actions,
    due_silent_acceptance,
    transition,
)

__all__ = [
    "ACTION_LABELS",
    "STATE_LABELS",
    "TRANSITIONS",
    "AuditAction",
    "AuditCheck",
    "AuditRequestInput",
    "AuditRuleError",
    "AuditState",
    "AuditorInput",
    "ContractTerms",
    "PastAudit",
    "Violation",
    "allowed_actions",
    "auditor_access",
    "check_request",
    "corrective_deadline",
    "due_silent_acceptance",
    "earliest_start_for_notice",
    "firm_key",
    "latest_notice",
    "next_allowed_start",
    "observations_deadline",
    "refusal_deadline",
    "transition",
]
