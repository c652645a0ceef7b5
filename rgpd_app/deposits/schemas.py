from marshmallow import Schema, fields, validate

from rgpd_app.deposits import rules
from rgpd_app.validation import NO_NUL, Input, PageQueryInput


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


# The columns a list may be sorted by (deposits.access.SORTS), "-" in front for descending.
SORT_KEYS = ("number", "organisation", "direction", "file", "date", "state")


class DepositListQuery(DepositFilter, PageQueryInput):
    """GET /api/v1/deposits: the list page's filters, and the page wanted."""

    organisation_id = fields.Integer(load_default=None, validate=validate.Range(min=0))
    intervention_id = fields.Integer(load_default=None, validate=validate.Range(min=0))
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "Ceux gardés au-delà de la durée permise"}
    )
    q = fields.String(
        load_default="",
        validate=[validate.Length(max=200), NO_NUL],
        metadata={"description": "Dans le nom du fichier"},
    )
    sort = fields.String(
        load_default="",
        validate=validate.OneOf(["", *SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)]),
        metadata={"description": "Colonne de tri, « - » devant pour l'ordre décroissant"},
    )


def _email(user) -> str | None:
    return user.email if user is not None else None


_NULLABLE_TEXT = {"type": ["string", "null"]}


class DepositSchema(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer(allow_none=True)
    organisation_name = fields.Function(
        lambda d: d.organisation.name if d.organisation else None, metadata=_NULLABLE_TEXT
    )
    intervention_id = fields.Integer(allow_none=True)
    direction = fields.String(metadata={"enum": list(rules.DIRECTION_LABELS)})
    source = fields.String(metadata={"enum": [rules.WEB, rules.FTP]})
    state = fields.String(metadata={"enum": list(rules.STATE_LABELS)})
    original_filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    check_code = fields.String()
    check_message = fields.String()
    recipient_email = fields.String()
    created_at = fields.DateTime()
    created_by = fields.Function(lambda d: _email(d.created_by), metadata=_NULLABLE_TEXT)
    remote_path = fields.String(allow_none=True)
    remote_deleted_at = fields.DateTime(allow_none=True)
    upload_attempts = fields.Integer()
    last_error = fields.String()
    sent_at = fields.DateTime(allow_none=True)
    destroyed_at = fields.DateTime(allow_none=True)
    destroyed_by = fields.Function(lambda d: _email(d.destroyed_by), metadata=_NULLABLE_TEXT)


class _Viewed:
    """A deposit with whether it is held past the permitted time, for DepositViewSchema."""

    def __init__(self, deposit, is_overdue: bool):
        self._deposit, self.is_overdue = deposit, is_overdue

    def __getattr__(self, name):
        return getattr(self._deposit, name)


class DepositViewSchema(DepositSchema):
    """A deposit as the API answers it: with `is_overdue` (held past DEPOSIT_MAX_DAYS)."""

    is_overdue = fields.Boolean()

    @classmethod
    def viewed(cls, deposit, is_overdue: bool):
        return _Viewed(deposit, is_overdue)


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
