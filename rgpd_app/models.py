"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from rgpd_app.accounts.models import ApiToken, RoleGrant, User
from rgpd_app.journal.models import JournalEntry, JournalSeal
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.organisations.models import Organisation

__all__ = [
    "ApiToken",
    "JournalEntry",
    "JournalSeal",
    "Organisation",
    "OutboxMessage",
    "RoleGrant",
    "User",
]
