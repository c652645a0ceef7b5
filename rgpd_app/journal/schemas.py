from datetime import UTC, date, datetime, time

from marshmallow import Schema, fields

from rgpd_app.validation import id_value


class JournalEntrySchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    user_email = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    ip = fields.String()
    details = fields.String()
    seal_id = fields.Integer(allow_none=True)


def filters_from(args) -> dict:
    """Journal filters from query arguments; a malformed date is ignored, not an error page."""
    out = {"action": args.get("action", "").strip(), "user": args.get("user", "").strip()}
    org = args.get("organisation_id", "")
    out["organisation_id"] = id_value(org)
    for key, edge in (("since", time.min), ("until", time.max)):
        try:
            day = date.fromisoformat(args.get(key, ""))
        except ValueError:
            out[key] = None
        else:
            out[key] = datetime.combine(day, edge, tzinfo=UTC)
    return out
