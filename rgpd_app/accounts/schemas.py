from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from rgpd_app.accounts import rules
from rgpd_app.validation import Input


class LoginInput(Input):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class TotpInput(Input):
    code = fields.String(required=True, validate=validate.Regexp(r"^\s*\d{3}\s?\d{3}\s*$"))


class PasswordChangeInput(Input):
    current_password = fields.String(required=True)
    new_password = fields.String(required=True, validate=validate.Length(max=1024))
    confirm_password = fields.String(required=True)

    @validates_schema
    def _same(self, data, **_):
        if data.get("new_password") != data.get("confirm_password"):
            raise ValidationError("Les deux saisies ne correspondent pas.", "confirm_password")


class GrantInput(Input):
    role = fields.String(required=True, validate=validate.OneOf(rules.ALL_ROLES))
    controller_id = fields.Integer(load_default=None)
    valid_from_on = fields.Date(load_default=None)
    valid_until_on = fields.Date(load_default=None)


class UserInput(GrantInput):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    organisation_id = fields.Integer(required=True)
    password = fields.String(required=True, validate=validate.Length(max=1024))


class PasswordResetInput(Input):
    password = fields.String(required=True, validate=validate.Length(max=1024))


class TokenInput(Input):
    label = fields.String(load_default="", validate=validate.Length(max=100))


class RoleGrantSchema(Schema):
    class Meta:
        fields = ("id", "role", "controller_id", "valid_from_on", "valid_until_on", "granted_at")


class UserSchema(Schema):
    roles = fields.Method("_roles")

    class Meta:
        fields = (
            "id",
            "email",
            "name",
            "organisation_id",
            "is_enabled",
            "has_totp",
            "roles",
            "last_login_at",
        )

    def _roles(self, user):
        return sorted({g.role for g in user.grants if g.revoked_at is None})
