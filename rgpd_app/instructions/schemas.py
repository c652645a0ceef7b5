from marshmallow import Schema, fields, validate

from rgpd_app.exports.response import FORMATS
from rgpd_app.instructions import rules
from rgpd_app.validation import Input


class InstructionInput(Input):
    subject = fields.String(required=True, validate=validate.Length(min=3, max=300))
    text = fields.String(required=True, validate=validate.Length(min=3, max=50000))
    effective_on = fields.Date(required=True)
    activity_ids = fields.List(fields.Integer(), load_default=list)
    supersedes_id = fields.Integer(load_default=None)


class InstructionUpdateInput(Input):
    subject = fields.String(required=True, validate=validate.Length(min=3, max=300))
    text = fields.String(required=True, validate=validate.Length(min=3, max=50000))
    effective_on = fields.Date(required=True)
    activity_ids = fields.List(fields.Integer(), load_default=list)


class FlagInput(Input):
    reason = fields.String(required=True, validate=validate.Length(min=10, max=10000))


class ConfirmInput(Input):
    text = fields.String(required=True, validate=validate.Length(min=3, max=10000))


class WithdrawInput(Input):
    reason = fields.String(load_default="", validate=validate.Length(max=10000))


class CnilInput(Input):
    referred_on = fields.Date(required=True)
    reference = fields.String(load_default="", validate=validate.Length(max=300))


class AppliedInput(Input):
    note = fields.String(load_default="", validate=validate.Length(max=10000))


class FileInput(Input):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_base64 = fields.String(required=True)
    content_type = fields.String(load_default="application/octet-stream")


class FilesInput(Input):
    files = fields.List(fields.Nested(FileInput), load_default=list)


class NewInstructionInput(InstructionInput, FilesInput):
    """An instruction given through the API: its attachments in the same body, in base64."""


class FiltersInput(Input):
    state = fields.String(load_default="", validate=validate.OneOf(["", *rules.STATE_LABELS]))
    organisation_id = fields.Integer(load_default=None)
    activity_id = fields.Integer(load_default=None)
    q = fields.String(load_default="", validate=validate.Length(max=200))


PER_PAGE_MAX = 200


class PageInput(Input):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1),
        metadata={"description": "Numéro de page (1 par défaut)"},
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1),
        metadata={"description": f"Éléments par page (50 par défaut, {PER_PAGE_MAX} au plus)"},
    )


class ListQueryInput(FiltersInput, PageInput):
    """The API list's query string: the filters of the page and the page wanted."""


class InForceQueryInput(PageInput):
    organisation_id = fields.Integer(load_default=None)


class ExportQueryInput(FiltersInput):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class AttachmentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    original_filename = fields.String()
    content_type = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()


class ActivityRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class InstructionSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    organisation_id = fields.Integer()
    subject = fields.String()
    effective_on = fields.Date()
    state = fields.String()
    given_at = fields.DateTime()
    supersedes_id = fields.Integer(allow_none=True)
    superseded_by_id = fields.Function(
        lambda i: i.superseded_by.id if i.superseded_by else None,
        allow_none=True,
        metadata={"type": "integer"},
    )


class InstructionSchema(InstructionSummarySchema):
    text = fields.String()
    activities = fields.List(fields.Nested(ActivityRefSchema))
    given_by_name = fields.String()
    updated_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    flagged_at = fields.DateTime(allow_none=True)
    flag_reason = fields.String()
    confirmed_at = fields.DateTime(allow_none=True)
    confirmed_by_name = fields.String()
    confirmation_text = fields.String()
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawal_reason = fields.String()
    cnil_referred_on = fields.Date(allow_none=True)
    cnil_reference = fields.String()
    applied_at = fields.DateTime(allow_none=True)
    applied_note = fields.String()
    attachments = fields.List(fields.Nested(AttachmentSchema))


class InForceRowSchema(Schema):
    """A processing and the instruction in force for it (none yet: null)."""

    activity_id = fields.Integer(attribute="activity.id")
    activity_name = fields.String(attribute="activity.name")
    organisation_id = fields.Integer(attribute="activity.controller_id")
    instruction = fields.Nested(InstructionSummarySchema, allow_none=True)


class AttachmentIdsSchema(Schema):
    attachments = fields.List(fields.Integer(), metadata={"description": "Ids des pièces jointes"})


def _instant(**options):
    return fields.DateTime(metadata={"description": "Europe/Paris, ISO 8601"}, **options)


class InstructionExportRowSchema(Schema):
    """A row of the register's JSON export: the keys of rgpd_app.instructions.exporting.COLUMNS."""

    reference = fields.String()
    organisation = fields.String()
    subject = fields.String()
    processings = fields.List(fields.String())
    text = fields.String()
    effective_on = fields.Date()
    state = fields.String(metadata={"description": "L'état, en mots"})
    given_by = fields.String()
    given_at = _instant()
    acknowledged_at = _instant(allow_none=True)
    flagged_at = _instant(allow_none=True)
    flag_reason = fields.String()
    confirmed_at = _instant(allow_none=True)
    confirmed_by = fields.String()
    withdrawn_at = _instant(allow_none=True)
    cnil_referred_on = fields.Date(allow_none=True)
    applied_at = _instant(allow_none=True)
    supersedes = fields.String(metadata={"description": "Référence, ou vide"})
    superseded_by = fields.String(metadata={"description": "Référence, ou vide"})
    attachments = fields.List(fields.String(), metadata={"description": "« nom (SHA-256) »"})
