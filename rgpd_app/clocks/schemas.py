from datetime import date, datetime

from marshmallow import Schema, fields, pre_dump, validate

from deadlines import PARIS
from rgpd_app.validation import Input, PageQueryInput


class DeadlineQueryInput(Input):
    """A calculator request, from the page's GET form, the API's query string or the CLI."""

    clock = fields.String(required=True, validate=validate.Length(max=64))
    start = fields.String(required=True, validate=validate.Length(max=64))
    calendar = fields.String(load_default=None, validate=validate.Length(max=8))
    length = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10000))
    organisation_id = fields.Integer(load_default=None, validate=validate.Range(min=0))


class EcheanceQueryInput(PageQueryInput):
    """GET /api/v1/echeances: only its page."""


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(PARIS).isoformat()
    return value.isoformat()


class DeadlineStepSchema(Schema):
    """One line of a deadline's explanation: a stable code and a French sentence."""

    code = fields.String()
    text = fields.String()


class DeadlineSchema(Schema):
    """A computed deadline as the deadlines library writes it (Deadline.to_dict): instants in
    Europe/Paris ISO 8601, days as AAAA-MM-JJ. Dumps a Deadline or its dict."""

    kind = fields.String()
    length = fields.Integer()
    start = fields.String(metadata={"description": "Jour (AAAA-MM-JJ) ou instant ISO 8601"})
    raw_end = fields.String()
    deadline = fields.String(metadata={"description": "Dernier jour ou instant du délai"})
    closes_at = fields.String(metadata={"format": "date-time"})
    calendar_code = fields.String(allow_none=True)
    steps = fields.List(fields.Nested(DeadlineStepSchema))

    @pre_dump
    def _values(self, deadline, **_):
        return deadline.to_dict() if hasattr(deadline, "to_dict") else deadline


class DeadlineCalculationSchema(Schema):
    """GET /api/v1/deadlines: the deadline, the clock, calendar and contract it was computed
    with (clocks.services.Calculation)."""

    clock = fields.String(metadata={"description": "Nom du délai"})
    label = fields.String()
    calendar = fields.String(metadata={"description": "Calendrier des jours fériés"})
    calendar_label = fields.String()
    organisation_id = fields.Integer(
        allow_none=True, metadata={"description": "La collectivité dont le contrat s'applique"}
    )
    kind = fields.String()
    length = fields.Integer()
    start = fields.String(metadata={"description": "Jour (AAAA-MM-JJ) ou instant ISO 8601"})
    raw_end = fields.String()
    deadline = fields.String(metadata={"description": "Dernier jour ou instant du délai"})
    closes_at = fields.String(metadata={"format": "date-time"})
    steps = fields.List(fields.Nested(DeadlineStepSchema))

    @pre_dump
    def _values(self, calculation, **_):
        return calculation.to_dict()


class EcheanceSchema(Schema):
    uid = fields.String()
    kind = fields.String()
    title = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    organisation_name = fields.String()
    due_at = fields.Function(
        lambda item: _iso(item.due_at), metadata={"type": "string", "format": "date-time"}
    )
    deadline = fields.Function(
        lambda item: _iso(item.deadline),
        metadata={"type": "string", "description": "Dernier jour (AAAA-MM-JJ) ou instant"},
    )
    is_timed = fields.Boolean()
    steps = fields.List(fields.String())
    url = fields.String()
