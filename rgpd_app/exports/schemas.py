"""The answer describing a long export (/api/v1/exports and every 202 that queues one)."""

from marshmallow import Schema, fields


class ExportJobSchema(Schema):
    id = fields.String(metadata={"description": "Identifiant public de l'export"})
    title = fields.String()
    format = fields.String(metadata={"enum": ["csv", "xlsx", "ods", "json", "pdf", "zip"]})
    state = fields.String(metadata={"enum": ["queued", "running", "done", "failed", "expired"]})
    rows_done = fields.Integer()
    rows_total = fields.Integer(allow_none=True)
    percent = fields.Integer(allow_none=True)
    requested_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    filename = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    status_url = fields.String()
    file_url = fields.String(allow_none=True)
