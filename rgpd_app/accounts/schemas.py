from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from rgpd_app.accounts import passwords, rules, tokens
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.organisations.models import Organisation
from rgpd_app.validation import DB_INT_MAX, Input


def _password_length(field: str) -> validate.Length:
    """Up to 1,024 characters (ASVS 5.0 6.2.9), refused past that with the field's name."""
    return validate.Length(max=rules.MAX_PASSWORD_LENGTH, error=rules.too_long_message(field))


class LoginInput(Input):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=_password_length("password"))


class TotpInput(Input):
    code = fields.String(required=True, validate=validate.Regexp(r"^\s*\d{3}\s?\d{3}\s*$"))


class PasswordChangeInput(Input):
    current_password = fields.String(required=True, validate=_password_length("current_password"))
    new_password = fields.String(required=True, validate=_password_length("new_password"))
    confirm_password = fields.String(required=True, validate=_password_length("confirm_password"))


class GrantInput(Input):
    role = fields.String(required=True, validate=validate.OneOf(roles.ALL_ROLES))
    controller_id = fields.Integer(load_default=None)
    valid_from_on = fields.Date(load_default=None)
    valid_until_on = fields.Date(load_default=None)


class UserInput(GrantInput):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    organisation_id = fields.Integer(required=True)
    password = fields.String(required=True, validate=_password_length("password"))

    @validates_schema(skip_on_field_errors=False)
    def _password_policy(self, data, **_):
        # Checked here too so that the form shows the password's problems with every other error.
        if "password" in data:
            org_id = data.get("organisation_id") or 0
            # An id past what the database holds is refused by validation.load, after this.
            organisation = (
                db.session.get(Organisation, org_id) if 0 < org_id <= DB_INT_MAX else None
            )
            context = passwords.context(data.get("email", ""), data.get("name", ""), organisation)
            problems = passwords.problems(data["password"], context)
            if problems:
                raise ValidationError(problems, "password")


class PasswordResetInput(Input):
    password = fields.String(required=True, validate=_password_length("password"))


class TokenInput(Input):
    label = fields.String(load_default="", validate=validate.Length(max=100))
    valid_days = fields.Integer(
        load_default=tokens.DEFAULT_DAYS,
        validate=validate.Range(min=1, max=tokens.MAX_DAYS, error=tokens.TOO_LONG),
        metadata={"description": "Durée de validité en jours (90 par défaut, 365 au plus)"},
    )


class ApiTokenSchema(Schema):
    """A token as its owner sees it: its prefix, never its secret nor its hash."""

    id = fields.Integer()
    prefix = fields.String()
    label = fields.String()
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class NewApiTokenSchema(ApiTokenSchema):
    """A token just made, with its secret: the only answer that ever shows it."""

    token = fields.Method(
        "_token", metadata={"type": "string", "description": "Le jeton, affiché cette seule fois"}
    )

    def __init__(self, *, secret: str = "", **kwargs):
        super().__init__(**kwargs)
        self.secret = secret

    def _token(self, _row):
        return self.secret


_ROLE = {"type": "string", "enum": list(roles.ALL_ROLES)}


class RoleGrantSchema(Schema):
    """A grant: a role, for a period when it has one (an auditor's: one municipality)."""

    id = fields.Integer()
    role = fields.String(metadata=_ROLE)
    controller_id = fields.Integer(allow_none=True)
    valid_from_on = fields.Date(allow_none=True)
    valid_until_on = fields.Date(allow_none=True)
    granted_at = fields.AwareDateTime()
    granted_by_id = fields.Integer(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class UserSchema(Schema):
    """A user as the API shows it: no password hash, no TOTP secret, no session data."""

    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    organisation_id = fields.Integer()
    is_enabled = fields.Boolean()
    has_totp = fields.Boolean()
    roles = fields.Method(
        "_roles",
        metadata={
            "type": "array",
            "items": _ROLE,
            "description": "Rôles attribués et non retirés (actifs ou non à ce jour)",
        },
    )
    last_login_at = fields.AwareDateTime(allow_none=True)

    def _roles(self, user):
        return sorted({g.role for g in user.grants if g.revoked_at is None})


class UserDetailSchema(UserSchema):
    created_at = fields.AwareDateTime()
    locked_until_at = fields.AwareDateTime(allow_none=True)
    grants = fields.List(fields.Nested(RoleGrantSchema))


class MeSchema(UserSchema):
    """The token's own account, with the roles it holds today."""

    active_roles = fields.Method("_active_roles", metadata={"type": "array", "items": _ROLE})
    audited_controller_ids = fields.Method(
        "_audited", metadata={"type": "array", "items": {"type": "integer"}}
    )

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    def _active_roles(self, user):
        return sorted(self.actor.roles)

    def _audited(self, user):
        return sorted(self.actor.auditor_controller_ids)
