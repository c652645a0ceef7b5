"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from rgpd_app.accounts.models import ApiToken, RoleGrant, User
from rgpd_app.accounts.oidc.models import OidcIdentity, OidcProvider  # noqa: F401
from rgpd_app.api_conventions import IdempotencyKey  # noqa: F401
from rgpd_app.audits.models import (  # noqa: F401
    AuditAuditor,
    AuditDocument,
    AuditRequest,
    AuditTimeEntry,
    CorrectiveMeasure,
)
from rgpd_app.breaches.models import (  # noqa: F401
    Breach,
    BreachActivity,
    BreachDecision,
    BreachNotice,
    BreachReminder,
    BreachUpdate,
    CnilNotification,
)
from rgpd_app.deposits.models import Deposit, Intervention  # noqa: F401
from rgpd_app.exports.models import ExportJob  # noqa: F401
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.instructions.models import Instruction, InstructionAttachment  # noqa: F401
from rgpd_app.journal.models import JournalSeal
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.models import (  # noqa: F401
    DataCategory,
    ProcessingActivity,
    ProcessingVersion,
    Purpose,
    RegisterTask,
    SecurityMeasure,
    Subprocessor,
    Transfer,
)
from rgpd_app.requests.models import (  # noqa: F401
    AssistanceRequest,
    AssistanceTimeEntry,
    SubjectRequest,
)
from rgpd_app.subprocessors.models import NoticeRecipient, SubprocessorNotice  # noqa: F401

__all__ = [
    "ApiToken",
    "JournalEntry",
    "JournalSeal",
    "Organisation",
    "OutboxMessage",
    "RoleGrant",
    "User",
]
