"""Register input (one schema for forms and JSON) and output schemas."""

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from rgpd_app.errors import ValidationFailed
from rgpd_app.messages import N_
from rgpd_app.register.choices import RETENTION_UNITS
from rgpd_app.validation import Input

_label = validate.Length(min=1, max=300)
_long = validate.Length(max=5000)


def _labels(max_items: int = 100):
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=300)),
        validate=validate.Length(max=max_items),
    )


class PurposeInput(Input):
    label = fields.String(required=True, validate=validate.Length(min=2, max=500))
    instruction_id = fields.Integer(load_default=None, allow_none=True)


class DataCategoryInput(Input):
    label = fields.String(required=True, validate=validate.Length(min=2, max=300))
    purpose = fields.String(load_default="", validate=validate.Length(max=500))
    retention_value = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=1200)
    )
    retention_unit = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(list(RETENTION_UNITS))
    )
    retention_criterion = fields.String(load_default="", validate=_long)
    is_special = fields.Boolean(load_default=False)
    is_criminal = fields.Boolean(load_default=False)


class TransferInput(Input):
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    recipient = fields.String(required=True, validate=_label)
    safeguard = fields.String(load_default=None, allow_none=True)
    safeguard_documentation = fields.String(load_default="", validate=_long)
    consent_by = fields.String(load_default="", validate=validate.Length(max=200))
    consent_on = fields.Date(load_default=None, allow_none=True)
    consent_reference = fields.String(load_default="", validate=validate.Length(max=300))

    @pre_load
    def _upper(self, data, **_):
        if isinstance(data, dict) and isinstance(data.get("country"), str):
            data = {**data, "country": data["country"].strip().upper()}
        return data


class MeasureInput(Input):
    family = fields.String(required=True)
    description = fields.String(load_default="", validate=_long)


class ProcessingInput(Input):
    """Absent keys are left unchanged on update; `version` is the one the client read."""

    controller_id = fields.Integer()
    name = fields.String(validate=validate.Length(min=2, max=300))
    description = fields.String(validate=_long)
    operations = fields.List(fields.String())
    operations_detail = fields.String(validate=_long)
    subprocessor_ids = fields.List(fields.Integer())
    measures = fields.List(fields.Nested(MeasureInput), validate=validate.Length(max=100))
    security_notes = fields.String(validate=_long)
    purposes = fields.List(fields.Nested(PurposeInput), validate=validate.Length(max=100))
    legal_bases = fields.List(fields.String())
    data_subjects = _labels()
    data_categories = fields.List(
        fields.Nested(DataCategoryInput), validate=validate.Length(max=200)
    )
    recipients = _labels()
    estimated_persons = fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=100_000_000)
    )
    transfers = fields.List(fields.Nested(TransferInput), validate=validate.Length(max=100))
    version = fields.Integer()


class CopyInput(Input):
    controller_ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, max=5000)
    )


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow errors → {"data_categories.0.label": [...]}, the form field names."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(flatten_errors(value, path))
            else:
                flat.setdefault(path or "_schema", []).extend(
                    v if isinstance(v, str) else str(v)
                    for v in (value if isinstance(value, list) else [value])
                )
    else:
        flat[prefix or "_schema"] = [m if isinstance(m, str) else str(m) for m in messages]
    return flat


def load_processing(data) -> dict:
    """Validate a JSON body or a payload built from a form; every error at once."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": [N_("Corps de requête JSON attendu.")]})
    try:
        return ProcessingInput().load(data)
    except ValidationError as err:
        failed = ValidationFailed(flatten_errors(err.messages))
        failed.valid_data = err.valid_data if isinstance(err.valid_data, dict) else {}
        raise failed from err


class PurposeSchema(Schema):
    label = fields.String()
    instruction_id = fields.Integer(allow_none=True)


class DataCategorySchema(Schema):
    label = fields.String()
    purpose = fields.String()
    retention_value = fields.Integer(allow_none=True)
    retention_unit = fields.String(allow_none=True)
    retention_criterion = fields.String()
    is_special = fields.Boolean()
    is_criminal = fields.Boolean()
    processor_informed_at = fields.String(allow_none=True)


class TransferSchema(Schema):
    country = fields.String()
    country_name = fields.String()
    recipient = fields.String()
    safeguard = fields.String()
    safeguard_documentation = fields.String()
    consent_by = fields.String()
    consent_on = fields.String(allow_none=True)
    consent_reference = fields.String()
    status = fields.String()


class MeasureSchema(Schema):
    family = fields.String()
    description = fields.String()


class SubprocessorRefSchema(Schema):
    id = fields.Integer()
    legal_name = fields.String()
    country = fields.String()
    is_outside_eea = fields.Boolean()


class ProcessingSchema(Schema):
    """Dumps a snapshot dict (services.snapshot) plus its computed state."""

    id = fields.Integer()
    controller_id = fields.Integer()
    controller_name = fields.String()
    name = fields.String()
    description = fields.String()
    status = fields.String()
    version = fields.Integer()
    operations = fields.List(fields.String())
    operations_detail = fields.String()
    subprocessors = fields.List(fields.Nested(SubprocessorRefSchema))
    measures = fields.List(fields.Nested(MeasureSchema))
    security_notes = fields.String()
    purposes = fields.List(fields.Nested(PurposeSchema))
    legal_bases = fields.List(fields.String())
    data_subjects = fields.List(fields.String())
    data_categories = fields.List(fields.Nested(DataCategorySchema))
    recipients = fields.List(fields.String())
    estimated_persons = fields.Integer(allow_none=True)
    transfers = fields.List(fields.Nested(TransferSchema))
    copied_from_id = fields.Integer(allow_none=True)
    updated_at = fields.String()
    completeness = fields.Integer()
    missing = fields.List(fields.String())
    problems = fields.List(fields.String())


class ProcessingSummarySchema(Schema):
    id = fields.Integer()
    controller_id = fields.Integer()
    controller_name = fields.String()
    name = fields.String()
    status = fields.String()
    version = fields.Integer()
    has_special = fields.Boolean()
    has_transfers = fields.Boolean()
    has_pending_consent = fields.Boolean()
    updated_at = fields.String()


class VersionSchema(Schema):
    version = fields.Integer()
    action = fields.String()
    changed_at = fields.String()
    changed_by = fields.String()
    changes = fields.List(fields.Dict())
