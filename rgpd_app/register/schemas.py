"""Register input (one schema for forms and JSON) and output schemas."""

import json

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from rgpd_app.errors import ValidationFailed
from rgpd_app.exports import FORMATS
from rgpd_app.messages import N_
from rgpd_app.register import listing
from rgpd_app.register.choices import RETENTION_UNITS, STATUSES
from rgpd_app.validation import DB_INT_MAX, DB_INT_MIN, OUT_OF_RANGE, Input, id_value

_label = validate.Length(min=1, max=300)
_long = validate.Length(max=5000)


def _db_int(**options):
    """An integer the database can hold (32 bits): past it, a 400 on the field, not a driver
    error (nor a rule judging a value no row can have)."""
    return fields.Integer(
        validate=validate.Range(min=DB_INT_MIN, max=DB_INT_MAX, error=OUT_OF_RANGE), **options
    )


def _labels(max_items: int = 100):
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=300)),
        validate=validate.Length(max=max_items),
    )


class PurposeInput(Input):
    label = fields.String(required=True, validate=validate.Length(min=2, max=500))
    instruction_id = _db_int(load_default=None, allow_none=True)


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


class ProcessingMeasureInput(Input):
    family = fields.String(required=True)
    description = fields.String(load_default="", validate=_long)


class ProcessingInput(Input):
    """Absent keys are left unchanged on update; `version` is the one the client read."""

    controller_id = _db_int()
    name = fields.String(validate=validate.Length(min=2, max=300))
    description = fields.String(validate=_long)
    operations = fields.List(fields.String())
    operations_detail = fields.String(validate=_long)
    subprocessor_ids = fields.List(_db_int())
    measures = fields.List(fields.Nested(ProcessingMeasureInput), validate=validate.Length(max=100))
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
    version = _db_int()


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


class ProcessingMeasureSchema(Schema):
    family = fields.String()
    description = fields.String()


class ProcessingSubprocessorSchema(Schema):
    id = fields.Integer()
    legal_name = fields.String()
    country = fields.String()
    is_outside_eea = fields.Boolean()


class ProcessingSnapshotSchema(Schema):
    """An entry as a snapshot dict holds it (entries.snapshot, kept by each history version)."""

    id = fields.Integer()
    controller_id = fields.Integer()
    controller_name = fields.String()
    name = fields.String()
    description = fields.String()
    status = fields.String()
    version = fields.Integer()
    operations = fields.List(fields.String())
    operations_detail = fields.String()
    subprocessors = fields.List(fields.Nested(ProcessingSubprocessorSchema))
    measures = fields.List(fields.Nested(ProcessingMeasureSchema))
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


class ProcessingSchema(ProcessingSnapshotSchema):
    """Dumps a snapshot dict (services.snapshot) plus its computed state."""

    completeness = fields.Integer(metadata={"description": "Complétude, en pour cent"})
    missing = fields.List(fields.String(), metadata={"description": "Ce qui manque"})
    problems = fields.List(fields.String(), metadata={"description": "Problèmes à corriger"})


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


class ProcessingChangeSchema(Schema):
    """One field's change in a version (changes.Change), its values as the register shows them."""

    field = fields.String()
    label = fields.String()
    before = fields.String()
    after = fields.String()


class VersionSchema(Schema):
    version = fields.Integer()
    action = fields.String()
    changed_at = fields.String()
    changed_by = fields.String()
    changes = fields.List(fields.Nested(ProcessingChangeSchema))


class ProcessingAsOfSchema(Schema):
    """The entry as it stood at the end of a day; null if it did not exist yet."""

    on = fields.Date()
    entry = fields.Nested(ProcessingSnapshotSchema, allow_none=True)


class ProcessingCopySchema(Schema):
    id = fields.Integer(metadata={"description": "La copie"})
    controller_id = fields.Integer()


class ProcessingCopiesSchema(Schema):
    items = fields.List(fields.Nested(ProcessingCopySchema))


class RegisterExportRowSchema(Schema):
    """A row of the register's JSON export: the keys of entries.ROW_COLUMNS, lists joined with
    " | " (the same row as the CSV, XLSX and ODS files, which read back as an import)."""

    id = fields.Integer()
    controller_siren = fields.String()
    controller_name = fields.String()
    name = fields.String()
    status = fields.String(metadata={"description": "Le statut, en mots"})
    version = fields.Integer()
    description = fields.String()
    purposes = fields.String()
    legal_bases = fields.String()
    data_subjects = fields.String()
    data_categories = fields.String()
    data_category_purposes = fields.String()
    data_category_retentions = fields.String()
    data_category_sensitive = fields.String()
    recipients = fields.String()
    estimated_persons = fields.Integer(allow_none=True)
    transfer_countries = fields.String()
    transfer_recipients = fields.String()
    transfer_safeguards = fields.String()
    transfer_safeguard_documentation = fields.String()
    transfer_consents = fields.String()
    operations = fields.String()
    operations_detail = fields.String()
    subprocessors = fields.String()
    security_measures = fields.String()
    security_notes = fields.String()
    updated_at = fields.String()


# The API's inputs beyond the entry itself: a status change and the query strings.
PER_PAGE_MAX = 200


class StatusInput(Input):
    status = fields.String(required=True, validate=validate.OneOf(["validated", "archived"]))
    version = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "La version lue"}
    )


def _flag(description: str):
    return fields.Boolean(load_default=False, metadata={"description": description})


class RegisterFiltersInput(Input):
    """The list's filters (listing.Filters), shared by the list and its exports."""

    q = fields.String(
        load_default="", validate=validate.Length(max=300), metadata={"description": "Recherche"}
    )
    controller_id = fields.Integer(
        load_default=None, validate=validate.Range(min=1), metadata={"description": "Collectivité"}
    )
    status = fields.String(load_default=None, validate=validate.OneOf(list(STATUSES)))
    special = _flag("Seulement ceux qui traitent des données sensibles (art. 9 ou 10)")
    transfers = _flag("Seulement ceux qui transfèrent hors de l'UE")
    pending_consent = _flag("Seulement ceux dont un transfert attend le consentement écrit")


class RegisterPageInput(Input):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=10**6),
        metadata={"description": "Numéro de page (1 par défaut)"},
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1),
        metadata={"description": f"Éléments par page (50 par défaut, {PER_PAGE_MAX} au plus)"},
    )


class RegisterListQueryInput(RegisterFiltersInput, RegisterPageInput):
    """The list's query string: its filters and the page wanted."""


class RegisterExportQueryInput(RegisterFiltersInput):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))
    register = fields.String(
        load_default="list",
        validate=validate.OneOf(["list", "processor", "controller"]),
        metadata={
            "description": "list : la liste filtrée ; processor : le registre art. 30(2) ; "
            "controller : le registre art. 30(1) de la collectivité `controller_id`"
        },
    )


class HistoryQueryInput(RegisterPageInput):
    on = fields.Date(
        load_default=None,
        metadata={"description": "L'état du traitement à la fin de ce jour (AAAA-MM-JJ)"},
    )


_TRUE = {"1", "true", "yes", "on"}


def filters_from(args) -> listing.Filters:
    """The web pages' filters, lenient: what cannot apply is ignored (the API's are checked)."""
    controller = args.get("controller_id", "")
    return listing.Filters(
        q=args.get("q", "").strip(),
        controller_id=id_value(controller),
        status=args.get("status", ""),
        special=args.get("special", "").lower() in _TRUE,
        transfers=args.get("transfers", "").lower() in _TRUE,
        pending_consent=args.get("pending_consent", "").lower() in _TRUE,
    )


def version_row(version) -> dict:
    return {
        "version": version.version,
        "action": version.action,
        "changed_at": version.changed_at.isoformat(),
        "changed_by": version.changed_by_email,
        "changes": json.loads(version.changed_fields),
    }
