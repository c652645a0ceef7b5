"""Catalogue input and output: one Input for forms and JSON, whitelisted output schemas."""

import json

from marshmallow import Schema, fields, validate

from rgpd_app.validation import Input


class SubprocessorInput(Input):
    legal_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    address = fields.String(required=True, validate=validate.Length(min=5, max=1000))
    contact = fields.String(required=True, validate=validate.Length(min=3, max=300))
    country = fields.String(required=True, validate=validate.Length(equal=2))
    processing_countries = fields.List(
        fields.String(validate=validate.Length(equal=2)), load_default=list
    )
    activities = fields.List(fields.String(), load_default=list)
    contract_start_on = fields.Date(load_default=None)
    contract_end_on = fields.Date(load_default=None)
    dpa_reference = fields.String(load_default="", validate=validate.Length(max=300))
    dpa_valid_until_on = fields.Date(load_default=None)
    transfer_mechanism = fields.String(load_default="", validate=validate.Length(max=20))
    transfer_documentation = fields.String(load_default="", validate=validate.Length(max=5000))


class ChainInput(Input):
    child_id = fields.Integer(required=True)


class _JsonList(fields.Field):
    def _serialize(self, value, attr, obj, **kwargs):
        return json.loads(value or "[]")


class SubprocessorRefSchema(Schema):
    id = fields.Integer()
    legal_name = fields.String()
    country = fields.String()
    is_outside_eea = fields.Boolean()


class SubprocessorSchema(Schema):
    id = fields.Integer()
    legal_name = fields.String()
    address = fields.String()
    contact = fields.String()
    country = fields.String()
    processing_countries = _JsonList(metadata={"type": "array", "items": {"type": "string"}})
    activities = _JsonList(metadata={"type": "array", "items": {"type": "string"}})
    is_outside_eea = fields.Boolean()
    contract_start_on = fields.Date(allow_none=True)
    contract_end_on = fields.Date(allow_none=True)
    dpa_reference = fields.String()
    dpa_valid_until_on = fields.Date(allow_none=True)
    transfer_mechanism = fields.String()
    transfer_documentation = fields.String()
    relies_on = fields.List(fields.Nested(SubprocessorRefSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)


class ChainLinkSchema(Schema):
    depth = fields.Integer()
    subprocessor_id = fields.Integer()
    legal_name = fields.String()
    relied_on_by_id = fields.Integer()


class SubprocessorDetailSchema(SubprocessorSchema):
    chain = fields.List(fields.Nested(ChainLinkSchema))


class MunicipalityRowSchema(Schema):
    level = fields.Integer()
    subprocessor = fields.Nested(SubprocessorSchema(exclude=("relies_on",)))
    relied_on_by = fields.String()
    processings = fields.List(fields.String())
    authorisation = fields.String()
    authorisation_label = fields.String()
