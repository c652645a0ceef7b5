"""The answer describing a long export (/api/v1/exports and every 202 that queues one)."""

from flask import url_for
from marshmallow import Schema, fields

from rgpd_app.exports.models import DONE, STATES
from rgpd_app.validation import PageQueryInput

_NULLABLE_TEXT = {"type": ["string", "null"]}


def _file_url(export) -> str | None:
    if export.state != DONE:
        return None
    return url_for("exports_api.download", public_id=export.public_id)


class ExportJobSchema(Schema):
    """Dumps an ExportJob."""

    id = fields.String(
        attribute="public_id", metadata={"description": "Identifiant public de l'export"}
    )
    title = fields.String()
    format = fields.String(
        attribute="fmt", metadata={"enum": ["csv", "xlsx", "ods", "json", "pdf", "zip"]}
    )
    state = fields.String(metadata={"enum": list(STATES)})
    rows_done = fields.Integer()
    rows_total = fields.Integer(allow_none=True)
    percent = fields.Integer(allow_none=True)
    requested_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    filename = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    sha256 = fields.Function(lambda export: export.sha256 or None, metadata=_NULLABLE_TEXT)
    error = fields.Function(lambda export: export.error or None, metadata=_NULLABLE_TEXT)
    status_url = fields.Function(
        lambda export: url_for("exports_api.show", public_id=export.public_id),
        metadata={"type": "string", "description": "Où suivre l'export"},
    )
    file_url = fields.Function(
        _file_url,
        metadata={"type": ["string", "null"], "description": "Son fichier, une fois terminé"},
    )


class ExportJobQueryInput(PageQueryInput):
    """GET /api/v1/exports: only its page."""
