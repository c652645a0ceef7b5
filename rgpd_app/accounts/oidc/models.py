from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.accounts.models import User
from rgpd_app.extensions import db
from rgpd_app.foundation.types import EncryptedText, UTCDateTime
from rgpd_app.organisations.models import Organisation


class OidcProvider(db.Model):
    """The identity provider an organisation's members sign in with, and its policy."""

    __tablename__ = "oidc_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # rules.PROCONNECT or rules.GENERIC
    label: Mapped[str] = mapped_column(String(100), default="")
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str | None] = mapped_column(EncryptedText("oidc_provider.client_secret"))
    scopes: Mapped[str] = mapped_column(String(500))
    # acr and amr values that assert a multi-factor sign-in (space-separated).
    mfa_acr_values: Mapped[str] = mapped_column(String(200), default="")
    mfa_amr_values: Mapped[str] = mapped_column(String(200), default="")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Off by default: a first sign-in may create an account without any role.
    is_account_creation_allowed: Mapped[bool] = mapped_column(default=False)
    # Passwords refused for the members, except the break-glass account's.
    is_required: Mapped[bool] = mapped_column(default=False)
    break_glass_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    break_glass_user: Mapped[User | None] = relationship()


class OidcIdentity(db.Model):
    """An account's subject at a provider, stored at its first sign-in there."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_oidc_identity_issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
