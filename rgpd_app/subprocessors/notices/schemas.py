"""Notice inputs (prepare, answer, follow up) and whitelisted outputs."""

import json

from marshmallow import Schema, fields, validate

from rgpd_app.subprocessors.notices import rules as notice_rules
from rgpd_app.validation import Input


class SubprocessorNoticeInput(Input):
    kind = fields.String(load_default=None, validate=validate.OneOf(list(notice_rules.KINDS)))
    subprocessor_id = fields.Integer(load_default=None)
    replaced_id = fields.Integer(load_default=None)
    activities = fields.List(fields.String(), load_default=list)
    contract_start_on = fields.Date(load_default=None)
    contract_end_on = fields.Date(load_default=None)
    scope = fields.String(
        load_default=notice_rules.SCOPE_ALL, validate=validate.OneOf(list(notice_rules.SCOPES))
    )
    details = fields.String(load_default="", validate=validate.Length(max=5000))


class ObjectionInput(Input):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=5000))


class ApprovalInput(Input):
    reference = fields.String(required=True, validate=validate.Length(min=2, max=300))


class ReceiptInput(Input):
    received_on = fields.Date(required=True)
    proof = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class ObjectionOutcomeInput(Input):
    outcome = fields.String(required=True, validate=validate.OneOf(list(notice_rules.OUTCOMES)))
    note = fields.String(required=True, validate=validate.Length(min=3, max=5000))


_TEXT = {"type": "string"}


class NoticeRecipientSchema(Schema):
    id = fields.Integer()
    notice_id = fields.Integer()
    organisation_id = fields.Integer()
    organisation_name = fields.Function(lambda r: r.organisation.name, metadata=_TEXT)
    state = fields.String()
    state_label = fields.Function(
        lambda r: notice_rules.STATES.get(r.state, r.state), metadata=_TEXT
    )
    received_on = fields.Date(allow_none=True)
    receipt_source = fields.String()
    receipt_proof = fields.String()
    window_ends_on = fields.Date(allow_none=True)
    window_closes_at = fields.DateTime(allow_none=True)
    reminder_sent_at = fields.DateTime(allow_none=True)
    objected_at = fields.DateTime(allow_none=True)
    objection_reason = fields.String()
    approved_at = fields.DateTime(allow_none=True)
    approval_reference = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    outcome = fields.String()
    outcome_note = fields.String()
    outcome_at = fields.DateTime(allow_none=True)


class SubprocessorNoticeSchema(Schema):
    id = fields.Integer()
    kind = fields.String(allow_none=True)
    subprocessor_id = fields.Integer(allow_none=True)
    replaced_id = fields.Integer(allow_none=True)
    activities = fields.Function(
        lambda n: json.loads(n.activities or "[]"),
        metadata={"type": "array", "items": {"type": "string"}},
    )
    contract_start_on = fields.Date(allow_none=True)
    contract_end_on = fields.Date(allow_none=True)
    scope = fields.String()
    details = fields.String()
    state = fields.String()
    is_transfer_outside_eea = fields.Boolean()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
