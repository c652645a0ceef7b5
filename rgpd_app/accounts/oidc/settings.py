"""An organisation's identity provider as its administration page sets it."""

from datetime import datetime

from rgpd_app.accounts.oidc import rules, services
from rgpd_app.accounts.oidc.models import OidcProvider
from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import require
from rgpd_app.organisations.models import Organisation

SETTING_FIELDS = (
    "kind",
    "label",
    "issuer",
    "client_id",
    "scopes",
    "mfa_acr_values",
    "mfa_amr_values",
    "is_enabled",
    "is_account_creation_allowed",
    "is_required",
)


def save_provider(org: Organisation, data: dict, *, actor: Actor, now: datetime) -> OidcProvider:
    """An administrator sets an organisation's provider; the secret is kept when left blank."""
    require(actor, roles.ADMIN)
    glass = None
    if data.get("break_glass_email"):
        glass = services.member(org.id, data["break_glass_email"])
    problems = rules.settings_problems(
        kind=data["kind"],
        is_required=data["is_required"],
        break_glass_found=None if not data.get("break_glass_email") else glass is not None,
        break_glass_has_totp=bool(glass and glass.has_totp),
    )
    row = services.provider_of(org.id)
    if row is None and not data.get("client_secret"):
        problems["client_secret"] = [rules.SECRET_REQUIRED]
    if problems:
        raise ValidationFailed(problems)
    if row is None:
        row = OidcProvider(organisation=org)
        db.session.add(row)
    for name in SETTING_FIELDS:
        setattr(row, name, data[name])
    if data.get("client_secret"):
        row.client_secret = data["client_secret"]
    row.break_glass_user_id = glass.id if glass else None
    row.updated_at = now
    record(
        "organisation.oidc_updated",
        now=now,
        actor=actor,
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
        details={name: data[name] for name in SETTING_FIELDS}
        | {
            "break_glass": glass.email if glass else "",
            "secret_changed": bool(data.get("client_secret")),
        },
    )
    db.session.commit()
    return row


def settings_form(org: Organisation, row: OidcProvider | None) -> dict:
    """The administration form's values: the saved ones, or ProConnect's defaults for a
    municipality and the RGPD_OIDC_* settings for the processor."""
    if row is not None:
        form = {name: getattr(row, name) for name in SETTING_FIELDS}
        form["break_glass_email"] = row.break_glass_user.email if row.break_glass_user else ""
        return form
    settings = services.from_settings() if org.is_processor else None
    if settings is not None:
        return {name: getattr(settings, name) for name in SETTING_FIELDS}
    kind = rules.GENERIC if org.is_processor else rules.PROCONNECT
    return {
        "kind": kind,
        "label": "ProConnect" if kind == rules.PROCONNECT else org.name,
        "scopes": rules.PROCONNECT_SCOPES if kind == rules.PROCONNECT else rules.GENERIC_SCOPES,
        "mfa_acr_values": rules.PROCONNECT_MFA_ACR if kind == rules.PROCONNECT else "",
        "mfa_amr_values": "" if kind == rules.PROCONNECT else "mfa",
        "is_enabled": True,
    }
