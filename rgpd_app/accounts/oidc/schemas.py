from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate, validates

from rgpd_app.accounts.oidc import rules
from rgpd_app.messages import N_
from rgpd_app.validation import Input

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ProviderInput(Input):
    """An organisation's identity provider, from the administration page."""

    kind = fields.String(required=True, validate=validate.OneOf(rules.KINDS))
    label = fields.String(load_default="", validate=validate.Length(max=100))
    issuer = fields.String(required=True, validate=validate.Length(max=500))
    client_id = fields.String(required=True, validate=validate.Length(max=200))
    client_secret = fields.String(load_default="", validate=validate.Length(max=500))
    scopes = fields.String(required=True, validate=validate.Length(max=500))
    mfa_acr_values = fields.String(load_default="", validate=validate.Length(max=200))
    mfa_amr_values = fields.String(load_default="", validate=validate.Length(max=200))
    is_enabled = fields.Boolean(load_default=False)
    is_account_creation_allowed = fields.Boolean(load_default=False)
    is_required = fields.Boolean(load_default=False)
    break_glass_email = fields.Email(load_default="")

    @validates("issuer")
    def _issuer(self, value, **_):
        parts = urlsplit(value)
        secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
        if not (secure and parts.hostname) or parts.query or parts.fragment:
            raise ValidationError(
                N_("Adresse https de l'émetteur attendue (https://…, sans paramètres).")
            )

    @validates("scopes")
    def _scopes(self, value, **_):
        if "openid" not in rules.values(value):
            raise ValidationError(N_("Les scopes doivent comprendre « openid »."))
