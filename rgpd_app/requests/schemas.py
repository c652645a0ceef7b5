from marshmallow import Schema, ValidationError, fields, validate

from deadlines import DeadlineError, parse_instant
from rgpd_app.clocks.schemas import DeadlineSchema
from rgpd_app.messages import N_
from rgpd_app.requests import rules
from rgpd_app.validation import Input

_kind = validate.OneOf(list(rules.KINDS))
_retention = validate.Range(min=1, max=120)


class ParisInstant(fields.Field):
    """ISO 8601 instant; without an offset it is Paris wall time (DST gaps and folds refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_instant(str(value), field=attr or "instant")
        except DeadlineError as err:
            raise ValidationError(err.message) from None


class SubjectRequestInput(Input):
    organisation_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=_kind)
    channel = fields.String(required=True, validate=validate.OneOf(list(rules.CHANNELS)))
    received_at = ParisInstant(load_default=None)
    requester_identity = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    details = fields.String(load_default="", validate=validate.Length(max=20000))


class AssistanceInput(Input):
    request_id = fields.Integer(load_default=None)
    kind = fields.String(load_default=None, validate=_kind)
    channel = fields.String(load_default="", validate=validate.OneOf(["", *rules.CHANNELS]))
    requester_identity = fields.String(load_default=None, validate=validate.Length(min=2, max=2000))
    details = fields.String(load_default="", validate=validate.Length(max=20000))
    controller_received_on = fields.Date(
        load_default=None,
        validate=validate.Range(
            min=rules.GDPR_APPLIES_ON,
            error=N_("Date antérieure à l'application du RGPD (25 mai 2018)."),
        ),
    )
    question = fields.String(required=True, validate=validate.Length(min=3, max=10000))
    retention_months = fields.Integer(load_default=None, validate=_retention)


class AssistanceExtensionInput(Input):
    # Not "required": the contract rule names the missing reason (400 on the field `reason`).
    reason = fields.String(
        load_default=None, validate=validate.OneOf(list(rules.EXTENSION_REASONS))
    )
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class ControllerExtensionInput(Input):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=5000))


class AssistanceTimeInput(Input):
    worked_on = fields.Date(required=True)
    minutes = fields.Integer(
        required=True, validate=validate.Range(min=1, max=rules.MAX_MINUTES_PER_ENTRY)
    )
    description = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class AssistanceOutcomeInput(Input):
    outcome = fields.String(required=True, validate=validate.OneOf(list(rules.OUTCOMES)))
    details = fields.String(required=True, validate=validate.Length(min=3, max=20000))


class RequestFiltersInput(Input):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "Recherche dans la référence et le nom de la collectivité"},
    )
    state = fields.String(load_default="", validate=validate.OneOf(["", *rules.STATE_LABELS]))
    kind = fields.String(load_default="", validate=validate.OneOf(["", *rules.KINDS]))
    origin = fields.String(load_default="", validate=validate.OneOf(["", *rules.ORIGINS]))
    organisation_id = fields.Integer(load_default=None)


class RequestListQuery(RequestFiltersInput):
    """The list's query string: its filters and its page."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1),
        metadata={"description": "Éléments par page (200 au plus)"},
    )


def deadline_dict(deadline) -> dict | None:
    return deadline.to_dict() if deadline is not None else None


class AssistanceTimeSchema(Schema):
    id = fields.Integer()
    worked_on = fields.Date()
    minutes = fields.Integer()
    description = fields.String()
    person = fields.Function(lambda e: e.user.name or e.user.email)


class AssistanceBillingRowSchema(Schema):
    """A row of the billing statement (requests.billing.COLUMNS) in its JSON export."""

    worked_on = fields.Date()
    person = fields.String()
    description = fields.String()
    minutes = fields.Integer()


class AssistanceSchema(Schema):
    received_at = fields.DateTime()
    question = fields.String()
    extended_at = fields.DateTime(allow_none=True)
    extension_reason = fields.String()
    extension_note = fields.String()
    outcome = fields.String()
    outcome_details = fields.String()
    closed_at = fields.DateTime(allow_none=True)
    total_minutes = fields.Integer()
    entries = fields.List(fields.Nested(AssistanceTimeSchema))


class RequestSummarySchema(Schema):
    """Never the identity nor the request's words: those come from /identity, journaled."""

    id = fields.Integer()
    reference = fields.String()
    organisation_id = fields.Integer()
    kind = fields.String()
    origin = fields.String()
    channel = fields.String()
    state = fields.String()
    received_at = fields.DateTime()
    forwarded_at = fields.DateTime(allow_none=True)
    controller_received_on = fields.Date(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    identity_purged_at = fields.DateTime(allow_none=True)


class RequestSchema(RequestSummarySchema):
    forwarded_to = fields.String()
    controller_extended_at = fields.DateTime(allow_none=True)
    controller_extension_reason = fields.String()
    retention_months = fields.Integer()
    assistance = fields.Nested(AssistanceSchema, allow_none=True)


class RequestClocksSchema(Schema):
    """Both clocks side by side: the assistance (initial or extended) and the municipality's
    answer; null where a clock does not run."""

    assistance_first = fields.Nested(DeadlineSchema, allow_none=True)
    assistance_extended = fields.Nested(DeadlineSchema, allow_none=True)
    assistance_is_extended = fields.Boolean(allow_none=True)
    controller_answer = fields.Nested(DeadlineSchema, allow_none=True)
    help_in_time = fields.Boolean(allow_none=True)


class RequestDetailSchema(RequestSchema):
    clocks = fields.Nested(RequestClocksSchema)


class RequestIdentitySchema(Schema):
    requester_identity = fields.String()
    details = fields.String()
    purged_at = fields.DateTime(allow_none=True)


def request_dict(item, clocks) -> dict:
    """The request with both clocks side by side (assistance: initial or extended)."""
    assistance = clocks.assistance
    return {
        **RequestSchema().dump(item),
        "clocks": RequestClocksSchema().dump(
            {
                "assistance_first": deadline_dict(assistance.first) if assistance else None,
                "assistance_extended": deadline_dict(assistance.extended) if assistance else None,
                "assistance_is_extended": assistance.is_extended if assistance else None,
                "controller_answer": deadline_dict(clocks.controller),
                "help_in_time": clocks.in_time,
            }
        ),
    }
