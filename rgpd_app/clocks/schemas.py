from datetime import date, datetime

from marshmallow import Schema, fields, validate

from deadlines import PARIS
from rgpd_app.validation import Input


class DeadlineQueryInput(Input):
    """A calculator request, from the page's GET form, the API's query string or the CLI."""

    clock = fields.String(required=True, validate=validate.Length(max=64))
    start = fields.String(required=True, validate=validate.Length(max=64))
    calendar = fields.String(load_default=None, validate=validate.Length(max=8))
    length = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10000))
    organisation_id = fields.Integer(load_default=None)


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(PARIS).isoformat()
    return value.isoformat()


class EcheanceSchema(Schema):
    uid = fields.String()
    kind = fields.String()
    title = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    organisation_name = fields.String()
    due_at = fields.Function(lambda item: _iso(item.due_at))
    deadline = fields.Function(lambda item: _iso(item.deadline))
    is_timed = fields.Boolean()
    steps = fields.List(fields.String())
    url = fields.String()
