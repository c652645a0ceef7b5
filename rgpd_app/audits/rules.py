"""Service-side audit rules that the audit/ library leaves to the application. Pure."""

from datetime import date, timedelta

from rgpd_app.foundation import roles

# Who does what (annex art. 4.6; least privilege, annex §1). The administrator has no access.
READERS = (
    roles.PROCESSOR_DPO,
    roles.SECURITY_OFFICER,
    roles.SUPPORT,
    roles.CONTROLLER_DPO,
    roles.AUDITOR,
)
REQUESTERS = (roles.CONTROLLER_DPO,)
DECIDERS = (roles.PROCESSOR_DPO,)
REPORT_SENDERS = (roles.CONTROLLER_DPO, roles.AUDITOR, roles.PROCESSOR_DPO)
PLAN_KEEPERS = (roles.CONTROLLER_DPO, roles.PROCESSOR_DPO)
TIME_LOGGERS = (roles.PROCESSOR_DPO, roles.SECURITY_OFFICER, roles.SUPPORT)
BILLING_READERS = (roles.PROCESSOR_DPO, roles.CONTROLLER_DPO)

REMINDER_DAYS_BEFORE = 7
MAX_MINUTES_PER_ENTRY = 24 * 60


def competitors_from_setting(value: str | None) -> tuple[str, ...]:
    """The processor's competitors from a comma-separated setting, blanks dropped."""
    return tuple(name.strip() for name in (value or "").split(",") if name.strip())


def reminder_due(due_on: date, today: date, *, days_before: int = REMINDER_DAYS_BEFORE) -> bool:
    """A reminder goes out from ``days_before`` days before the due day until that day."""
    return due_on - timedelta(days=days_before) <= today <= due_on


def is_overdue(due_on: date, today: date) -> bool:
    """A measure is overdue once its due day (Europe/Paris) has ended."""
    return today > due_on


def hours_text(minutes: int) -> str:
    """Minutes as "3 h 05" for people and billing statements."""
    return f"{minutes // 60} h {minutes % 60:02d}"


def auditor_field(field: str) -> str:
    """The library's ``auditors[0].firm`` as the form's ``auditors-0-firm``."""
    if not field.startswith("auditors["):
        return field
    index, _, attribute = field[len("auditors[") :].partition("].")
    attribute = "nda" if attribute == "has_signed_nda" else attribute
    return f"auditors-{index}-{attribute}" if attribute else "auditors"
