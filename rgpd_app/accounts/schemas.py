from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from rgpd_app.accounts import passwords, rules
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

    @validates_schema(skip_on_field_errors=False)
    def _password_policy(self, data, **_):
        # Checked here too so that the form shows the password's problems with every other error.
        if "password" in data:
            email = data.get("email", "")
            problems = passwords.problems(
                data["password"], [email, email.split("@")[0], data.get("name", "")]
            )
            if problems:
                raise ValidationError(problems, "password")


class PasswordResetInput(Input):
    password = fields.String(required=True, validate=validate.Length(max=1024))


class TokenInput(Input):
    label = fields.String(load_default="", validate=validate.Length(max=100))


class RoleGrantSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    controller_id = fields.Integer(allow_none=True)
    valid_from_on = fields.Date(allow_none=True)
    valid_until_on = fields.Date(allow_none=True)
    granted_at = fields.AwareDateTime()


class UserSchema(Schema):
    """A user as the API shows it: no password hash, no TOTP secret, no session data."""

    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    organisation_id = fields.Integer()
    is_enabled = fields.Boolean()
    has_totp = fields.Boolean()
    roles = fields.Method("_roles")
    last_login_at = fields.AwareDateTime(allow_none=True)

    def _roles(self, user):
        return sorted({g.role for g in user.grants if g.revoked_at is None})
