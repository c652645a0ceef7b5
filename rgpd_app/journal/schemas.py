from datetime import UTC, date, datetime, time

from marshmallow import Schema, fields, validate

from rgpd_app.validation import NO_NUL, PageQueryInput, id_value


class JournalQueryInput(PageQueryInput):
    """GET /api/v1/journal: the filters of the journal page, and the page wanted."""

    action = fields.String(
        load_default="",
        validate=[validate.Length(max=60), NO_NUL],
        metadata={"description": "Actions commençant par ce texte (ex. « deposit. »)"},
    )
    user = fields.String(
        load_default="",
        validate=[validate.Length(max=254), NO_NUL],
        metadata={"description": "Adresse e-mail de l'auteur (contient ce texte)"},
    )
    organisation_id = fields.Integer(load_default=None, validate=validate.Range(min=0))
    since = fields.Date(load_default=None, metadata={"description": "À partir de ce jour (UTC)"})
    until = fields.Date(load_default=None, metadata={"description": "Jusqu'à ce jour inclus (UTC)"})


class JournalEntrySchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    user_email = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    ip = fields.String()
    details = fields.String(metadata={"description": "Les détails de l'opération, en JSON"})
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
