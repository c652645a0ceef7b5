from marshmallow import Schema, fields, validate

from rgpd_app.deposits import rules
from rgpd_app.validation import Input


class InterventionInput(Input):
    organisation_id = fields.Integer(load_default=None)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    purpose = fields.String(required=True, validate=validate.Length(min=2, max=500))


class ReceiveInput(Input):
    organisation_id = fields.Integer(load_default=None)
    intervention_id = fields.Integer(load_default=None)


class SendInput(ReceiveInput):
    recipient_email = fields.Email(load_default="")


class AttachInput(Input):
    intervention_id = fields.Integer(required=True)


class DepositFilter(Input):
    direction = fields.String(
        load_default="", validate=validate.OneOf(["", *rules.DIRECTION_LABELS])
    )
    state = fields.String(load_default="", validate=validate.OneOf(["", *rules.STATE_LABELS]))
    organisation_id = fields.Integer(load_default=None)
    intervention_id = fields.Integer(load_default=None)
    overdue = fields.Boolean(load_default=False)
    q = fields.String(load_default="", validate=validate.Length(max=200))  # in the file's name
    sort = fields.String(load_default="")  # a column of access.SORTS, "-" for descending


def _email(user) -> str | None:
    return user.email if user is not None else None


class DepositSchema(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer(allow_none=True)
    organisation_name = fields.Function(lambda d: d.organisation.name if d.organisation else None)
    intervention_id = fields.Integer(allow_none=True)
    direction = fields.String()
    source = fields.String()
    state = fields.String()
    original_filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    check_code = fields.String()
    check_message = fields.String()
    recipient_email = fields.String()
    created_at = fields.DateTime()
    created_by = fields.Function(lambda d: _email(d.created_by))
    remote_path = fields.String(allow_none=True)
    remote_deleted_at = fields.DateTime(allow_none=True)
    upload_attempts = fields.Integer()
    last_error = fields.String()
    sent_at = fields.DateTime(allow_none=True)
    destroyed_at = fields.DateTime(allow_none=True)
    destroyed_by = fields.Function(lambda d: _email(d.destroyed_by))


class InterventionSchema(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    reference = fields.String()
    purpose = fields.String()
    state = fields.String()
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.Function(lambda i: _email(i.closed_by))
    validated_at = fields.DateTime(allow_none=True)
    validated_by = fields.Function(lambda i: _email(i.validated_by))
    certificate_sha256 = fields.String(allow_none=True)
