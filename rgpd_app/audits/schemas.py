from marshmallow import Schema, fields, pre_load, validate

from rgpd_app.audits.models import DONE, OPEN
from rgpd_app.audits.rules import MAX_MINUTES_PER_ENTRY
from rgpd_app.clocks.schemas import DeadlineSchema
from rgpd_app.validation import Input

_name = validate.Length(max=200)


class AuditorInput(Input):
    # Identity fields are optional here: the audit rules name every missing one at once.
    name = fields.String(load_default=None, validate=_name)
    firm = fields.String(load_default=None, validate=_name)
    reference = fields.String(load_default=None, validate=validate.Length(max=100))
    email = fields.Email(
        load_default=str
    )  # "" when absent (a callable: no "" default documented as an e-mail)
    has_signed_nda = fields.Boolean(load_default=False)
    nda_filename = fields.String(load_default=None, validate=validate.Length(max=255))
    nda_base64 = fields.String(load_default=None)

    @pre_load
    def _blank_to_missing(self, data, **_):
        # Forms and JSON clients send "" for an empty field: absent, as at the top level.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


class AuditRequestInput(Input):
    start_on = fields.Date(load_default=None)
    end_on = fields.Date(load_default=None)
    scope = fields.String(load_default="", validate=validate.Length(max=5000))
    period_from = fields.Date(load_default=None)
    period_to = fields.Date(load_default=None)
    auditors = fields.List(fields.Nested(AuditorInput), load_default=list)
    ask_agreement = fields.Boolean(load_default=False)
    reaudit_of_id = fields.Integer(load_default=None)
    organisation_id = fields.Integer(load_default=None)


class VersionInput(Input):
    version = fields.Integer(load_default=None)


class RefusalInput(VersionInput):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    proposed_firm = fields.String(load_default="", validate=_name)


class ChoiceInput(VersionInput):
    accept = fields.Boolean(required=True)


class TextInput(VersionInput):
    text = fields.String(load_default="", validate=validate.Length(max=20000))


class MeasureInput(Input):
    description = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    owner = fields.String(required=True, validate=validate.Length(min=2, max=200))
    due_on = fields.Date(load_default=None)


class MeasureStatusInput(Input):
    status = fields.String(required=True, validate=validate.OneOf([OPEN, DONE]))


class TimeEntryInput(Input):
    worked_on = fields.Date(required=True)
    minutes = fields.Integer(
        required=True, validate=validate.Range(min=1, max=MAX_MINUTES_PER_ENTRY)
    )
    description = fields.String(required=True, validate=validate.Length(min=2, max=2000))


class ReportInput(VersionInput):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_base64 = fields.String(required=True)
    content_type = fields.String(load_default="application/octet-stream")


class AuditorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    firm = fields.String()
    reference = fields.String()
    email = fields.String()
    nda_document_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)


class DocumentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    original_filename = fields.String()
    content_type = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()


class MeasureSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    owner = fields.String()
    due_on = fields.Date()
    status = fields.String()
    done_at = fields.DateTime(allow_none=True)


class TimeEntrySchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    worked_on = fields.Date()
    minutes = fields.Integer()
    description = fields.String()


class AuditSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    organisation_id = fields.Integer()
    state = fields.String()
    start_on = fields.Date()
    end_on = fields.Date()
    is_reaudit = fields.Boolean()
    needs_processor_agreement = fields.Boolean()
    version = fields.Integer()


class AuditSchema(AuditSummarySchema):
    notice_received_at = fields.DateTime()
    scope = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    agreement_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    is_accepted_by_silence = fields.Boolean()
    refused_at = fields.DateTime(allow_none=True)
    refusal_reason = fields.String()
    proposed_firm = fields.String()
    started_at = fields.DateTime(allow_none=True)
    reaudit_of_id = fields.Integer(allow_none=True)
    report_received_at = fields.DateTime(allow_none=True)
    observations = fields.String()
    observations_sent_at = fields.DateTime(allow_none=True)
    is_observations_late = fields.Boolean()
    contest_reason = fields.String()
    contested_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    auditors = fields.List(fields.Nested(AuditorSchema))
    documents = fields.List(fields.Nested(DocumentSchema))
    measures = fields.List(fields.Nested(MeasureSchema))


def deadline_dict(deadline) -> dict | None:
    return deadline.to_dict() if deadline is not None else None


class AuditClocksSchema(Schema):
    refusal = fields.Nested(DeadlineSchema)
    observations = fields.Nested(DeadlineSchema, allow_none=True)
    corrective = fields.Nested(DeadlineSchema, allow_none=True)


class AuditDetailSchema(AuditSchema):
    """An audit with its clocks (the API's detail and every step's answer)."""

    clocks = fields.Nested(AuditClocksSchema)


class AuditorAccountSchema(Schema):
    """An auditor's account and its password, shown once."""

    email = fields.String()
    password = fields.String()


class AuditAcceptedSchema(AuditDetailSchema):
    auditor_accounts = fields.List(fields.Nested(AuditorAccountSchema))


class ViolationSchema(Schema):
    code = fields.String()
    field = fields.String()
    message = fields.String()
    waivable = fields.Boolean()


class AuditCheckSchema(Schema):
    """The rules' answer about a notice: every violation and the dates that follow."""

    is_acceptable = fields.Boolean()
    needs_processor_agreement = fields.Boolean()
    violations = fields.List(fields.Nested(ViolationSchema))
    latest_notice_on = fields.Date(allow_none=True)
    earliest_start_on = fields.Date()
    next_allowed_start_on = fields.Date(allow_none=True)
    refusal_deadline = fields.Nested(DeadlineSchema)


class TimeEntriesSchema(Schema):
    items = fields.List(fields.Nested(TimeEntrySchema))
    total = fields.Integer()
