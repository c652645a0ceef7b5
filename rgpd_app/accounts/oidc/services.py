"""OpenID Connect use cases: the providers to offer, matching the claims to an account, the
password refused where OIDC is mandatory, an organisation's provider settings. Nothing here
grants a role: an account created at a first sign-in has none."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from rgpd_app import security
from rgpd_app.accounts import passwords, services
from rgpd_app.accounts import rules as roles
from rgpd_app.accounts.models import User
from rgpd_app.accounts.oidc import protocol, rules
from rgpd_app.accounts.oidc.models import OidcIdentity, OidcProvider
from rgpd_app.accounts.users import services as management
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import active_roles
from rgpd_app.foundation.journal import record
from rgpd_app.organisations.models import PROCESSOR, Organisation

SETTINGS_PROVIDER_ID = 0  # the processor's provider from the RGPD_OIDC_* settings
SIGNED_IN = "oidc"  # in the session of a person signed in through a provider: its logout hint


class SignInRefused(Exception):
    """A sign-in through a provider refused; journaled by `refuse`. `reason` keys
    rules.REFUSALS, or is "unknown_account" (the page says who may create it)."""

    def __init__(self, reason: str, *, detail: str = "", organisation=None, params=None):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.organisation = organisation
        self.params = params or {}


@dataclass(frozen=True)
class SignIn:
    user: User
    provider: OidcProvider
    is_mfa_asserted: bool
    needs_second_factor: bool


def _processor() -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kind == PROCESSOR))


def from_settings() -> OidcProvider | None:
    """The RGPD_OIDC_* provider of the processor, while no administration page replaced it
    (a transient row, never added to the database)."""
    cfg = current_app.config
    if not (cfg["OIDC_ISSUER"] and cfg["OIDC_CLIENT_ID"]):
        return None
    processor = _processor()
    if processor is None:
        return None
    if db.session.scalar(select(OidcProvider.id).where(OidcProvider.organisation == processor)):
        return None
    return OidcProvider(
        id=SETTINGS_PROVIDER_ID,
        organisation=processor,
        organisation_id=processor.id,
        kind=rules.GENERIC,
        label=cfg["OIDC_LABEL"] or processor.name,
        issuer=cfg["OIDC_ISSUER"],
        client_id=cfg["OIDC_CLIENT_ID"],
        client_secret=cfg["OIDC_CLIENT_SECRET"],
        scopes=cfg["OIDC_SCOPES"],
        mfa_acr_values=cfg["OIDC_MFA_ACR_VALUES"],
        mfa_amr_values=cfg["OIDC_MFA_AMR_VALUES"],
        is_enabled=True,
        is_account_creation_allowed=False,
        is_required=False,
    )


def _enabled() -> list[OidcProvider]:
    rows = list(
        db.session.scalars(
            select(OidcProvider).where(OidcProvider.is_enabled).order_by(OidcProvider.id)
        )
    )
    settings = from_settings()
    return [settings, *rows] if settings else rows


def sign_in_options() -> list[OidcProvider]:
    """One button per provider: every municipality's ProConnect is one federation (the same
    issuer and client) and shows once; each generic provider shows under its own name."""
    seen, options = set(), []
    for row in _enabled():
        key = (row.issuer, row.client_id) if row.kind == rules.PROCONNECT else ("id", row.id)
        if key not in seen:
            seen.add(key)
            options.append(row)
    return options


def provider(provider_id: int) -> OidcProvider | None:
    return next((row for row in _enabled() if row.id == provider_id), None)


def _organisation_provider(chosen: OidcProvider, claims: dict) -> OidcProvider:
    """The organisation the claims name: ProConnect's SIRET among the municipalities that use
    that federation, otherwise the provider's own organisation."""
    if chosen.kind != rules.PROCONNECT:
        return chosen
    siret = str(claims.get("siret") or "")
    siren = rules.siren_of_siret(siret)
    for row in _enabled():
        same = (row.kind, row.issuer, row.client_id) == (
            rules.PROCONNECT,
            chosen.issuer,
            chosen.client_id,
        )
        if same and siren and row.organisation.siren == siren:
            return row
    raise SignInRefused("siret", detail=siret, params={"siret": siret or "?"})


def member(organisation_id: int, email: str) -> User | None:
    email = (email or "").strip().lower()
    return db.session.scalar(
        select(User).where(User.email == email, User.organisation_id == organisation_id)
    )


def match_account(chosen: OidcProvider, id_claims: dict, claims: dict, *, now: datetime):
    """The account the provider's claims belong to (issue 20, point 3): by the subject linked
    at an earlier sign-in, or the first time by verified e-mail within the organisation the
    claims name (then the subject is linked); else, where the organisation allows it, a new
    account without any role; else refused, nothing created."""
    row = _organisation_provider(chosen, claims)
    org = row.organisation
    subject = str(id_claims["sub"])
    identity = db.session.scalar(
        select(OidcIdentity).where(
            OidcIdentity.issuer == row.issuer, OidcIdentity.subject == subject
        )
    )
    email = (claims.get("email") or "").strip().lower()
    if identity is not None:
        user = identity.user
        if user.organisation_id != org.id:
            raise SignInRefused("organisation", organisation=org)
    else:
        if not rules.email_is_verified(claims, row.kind):
            raise SignInRefused("email_unverified", organisation=org)
        user = member(org.id, email)
        if user is None and row.is_account_creation_allowed and not services.find_user(email):
            user = _create_without_role(org, email, claims, now=now)
        if user is None:
            raise SignInRefused("unknown_account", organisation=org, params={"email": email})
        identity = OidcIdentity(user=user, issuer=row.issuer, subject=subject, linked_at=now)
        db.session.add(identity)
        record(
            "account.oidc_linked",
            now=now,
            user=user,
            object_type="user",
            object_id=user.id,
            details={"issuer": row.issuer, "subject": subject},
        )
    if not user.is_enabled:
        raise SignInRefused("disabled", organisation=org)
    if services.is_locked(user, now):
        raise SignInRefused("locked", organisation=org)
    identity.last_login_at = now
    held, _ = active_roles(user, now)
    asserted = rules.mfa_asserted(
        id_claims,
        acr_values=rules.values(row.mfa_acr_values),
        amr_values=rules.values(row.mfa_amr_values),
    )
    needs_second = roles.requires_totp(set(held)) and not asserted
    db.session.commit()
    return SignIn(
        user=user, provider=row, is_mfa_asserted=asserted, needs_second_factor=needs_second
    )


def _create_without_role(org: Organisation, email: str, claims: dict, *, now: datetime) -> User:
    """An account with no role and an unusable password: roles come from another person."""
    name = " ".join(
        str(claims.get(k) or "") for k in ("given_name", "usual_name", "family_name")
    ).strip()
    return management.add_account(
        email=email,
        name=(name or claims.get("name") or "")[:200],
        organisation=org,
        password_hash=passwords.hash_password(secrets.token_urlsafe(32)),
        actor=None,
        now=now,
        details={"via": "oidc", "roles": []},
    )


def refuse(err: SignInRefused | str, *, now: datetime, provider=None, detail="", claims=None):
    """Journal a refused sign-in (the reason, what the provider said, never a token)."""
    reason = err.reason if isinstance(err, SignInRefused) else err
    claims = claims or {}
    org = getattr(err, "organisation", None)
    db.session.rollback()
    record(
        "login.oidc_refused",
        now=now,
        organisation_id=org.id if org is not None else None,
        details={
            "reason": reason,
            "detail": (detail or getattr(err, "detail", ""))[:300],
            "issuer": provider.issuer if provider is not None else "",
            "subject": str(claims.get("sub") or ""),
            "email": str(claims.get("email") or "")[:254],
        },
    )
    db.session.commit()


def provider_of(organisation_id: int) -> OidcProvider | None:
    return db.session.scalar(
        select(OidcProvider).where(OidcProvider.organisation_id == organisation_id)
    )


def password_refused(user: User, *, now: datetime) -> bool:
    """Where the user's organisation makes OIDC mandatory, a password sign-in is refused
    (journaled), except for its break-glass account with two factors."""
    row = provider_of(user.organisation_id)
    if row is None or not row.is_enabled:
        return False
    refused = rules.password_refused(
        is_oidc_required=row.is_required,
        is_break_glass=row.break_glass_user_id == user.id,
        has_totp=user.has_totp,
    )
    if refused:
        record("login.refused_oidc_required", now=now, user=user)
        db.session.commit()
    return refused


def callback_url() -> str:
    """The redirect URI to register at every provider: under RGPD_BASE_URL, never the Host
    header a client sent."""
    return current_app.config["BASE_URL"].rstrip("/") + "/login/oidc/callback"


def after_logout_url() -> str:
    """The post-logout redirect URI to register at providers that offer RP-initiated logout."""
    return current_app.config["BASE_URL"].rstrip("/") + "/login"


def logout_hint(metadata: dict, *, provider_id: int, client_id: str, id_token: str) -> dict:
    """What the session keeps to end the provider's session at logout, and the origin the
    logout form may then be sent on to (its CSP form-action)."""
    end_session = metadata.get("end_session_endpoint") or ""
    hint = {
        SIGNED_IN: {
            "provider": provider_id,
            "end_session": end_session,
            "client_id": client_id,
            "id_token": id_token,
        }
    }
    if end_session:
        hint[security.FORM_ACTION_ORIGIN] = security.origin_of(end_session)
    return hint


def provider_logout_url(hint: dict | None) -> str | None:
    if not hint:
        return None
    return protocol.logout_url(
        hint.get("end_session"),
        id_token=hint.get("id_token", ""),
        client_id=hint.get("client_id", ""),
        after=after_logout_url(),
    )


def processor_name() -> str:
    processor = _processor()
    return processor.name if processor else ""


def confirmation_provider(hint: dict | None) -> int | None:
    """The provider a person signed in through, to confirm their identity there again (the
    sensitive actions of rgpd_app.accounts.reauth), while it is still offered."""
    if not hint or provider(hint.get("provider", -1)) is None:
        return None
    return hint["provider"]


def confirmed_at_provider(
    signed: SignIn, *, user_id: int, id_claims: dict, started_at: float, now: datetime
) -> None:
    """A confirmation through the provider counts for the signed-in person only, after a fresh
    authentication there (auth_time, asked with max_age=0), and with two factors where their
    roles need them; else refused."""
    fresh = float(id_claims.get("auth_time") or 0) >= started_at - rules.LEEWAY_SECONDS
    if signed.user.id != user_id or not fresh or signed.needs_second_factor:
        reason = "confirm_other" if signed.user.id != user_id else "confirm_weak"
        raise SignInRefused(reason, organisation=signed.user.organisation)
    record("reauth.confirmed", now=now, user=signed.user, details={"method": "oidc"})
    db.session.commit()
