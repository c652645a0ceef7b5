from marshmallow import Schema, fields, validate

from rgpd_app.notifications.models import FAILED, PENDING, SENDING, SENT
from rgpd_app.validation import PageQueryInput


class OutboxQueryInput(PageQueryInput):
    """GET /api/v1/notifications: one state (else every message not yet sent), and the page."""

    state = fields.String(
        load_default=None,
        validate=validate.OneOf([PENDING, SENDING, SENT, FAILED]),
        metadata={"description": "Les messages dans cet état ; sans lui, ceux non encore envoyés"},
    )


STATE_LABELS = {
    PENDING: "En attente",
    SENDING: "En cours d'envoi",
    SENT: "Envoyé",
    FAILED: "En échec",
}


def states_from(args) -> tuple[str, ...]:
    """The `state` filter; absent or unknown: every message not yet sent."""
    state = args.get("state", "")
    return (state,) if state in STATE_LABELS else (FAILED, PENDING, SENDING)


class OutboxMessageSchema(Schema):
    """What administrators see of a message: never its context nor its bodies."""

    id = fields.Integer()
    message_id = fields.String()
    channel = fields.String(metadata={"enum": ["email", "webhook"]})
    recipient = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    template = fields.String()
    subject = fields.String()
    state = fields.String(metadata={"enum": [PENDING, SENDING, SENT, FAILED]})
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()
    last_attempt_at = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    accepted_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String()
    created_at = fields.AwareDateTime()
    event_type = fields.String()
    event_id = fields.String()
