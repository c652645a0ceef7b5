"""One validation path: marshmallow Input schemas with French messages (translated where shown,
rgpd_app.messages), for forms and JSON."""

from collections.abc import Mapping

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.routing import IntegerConverter

from rgpd_app.errors import FIELD_CODES, ValidationFailed
from rgpd_app.messages import N_

fields.Field.default_error_messages.update(
    required=N_("Ce champ est obligatoire."),
    null=N_("Ce champ ne peut pas être vide."),
    validator_failed=N_("Valeur invalide."),
)
fields.String.default_error_messages.update(invalid=N_("Texte attendu."))
fields.Email.default_error_messages.update(invalid=N_("Adresse e-mail invalide."))
fields.Integer.default_error_messages.update(invalid=N_("Nombre entier attendu."))
fields.Number.default_error_messages.update(invalid=N_("Nombre attendu."))
fields.Boolean.default_error_messages.update(invalid=N_("Oui ou non attendu."))
fields.Date.default_error_messages.update(
    invalid=N_("Date invalide (format AAAA-MM-JJ)."),
    format=N_("Date invalide (format AAAA-MM-JJ)."),
)
fields.DateTime.default_error_messages.update(
    invalid=N_("Date et heure invalides."), format=N_("Date et heure invalides.")
)
validate.Length.message_min = N_("Au moins {min} caractères.")
validate.Length.message_max = N_("Au plus {max} caractères.")
validate.Length.message_all = N_("Entre {min} et {max} caractères.")
validate.Length.message_equal = N_("Exactement {equal} caractères.")
validate.OneOf.default_message = N_("Valeur non autorisée (choix possibles : {choices}).")
validate.Range.message_min = N_("Doit être {min_op} {{min}}.")
validate.Range.message_max = N_("Doit être {max_op} {{max}}.")
validate.Range.message_all = N_("Doit être {min_op} {{min}} et {max_op} {{max}}.")
validate.Range.message_gte = N_("supérieur ou égal à")
validate.Range.message_gt = N_("supérieur à")
validate.Range.message_lte = N_("inférieur ou égal à")
validate.Range.message_lt = N_("inférieur à")
validate.Regexp.default_message = N_("Format invalide.")

FIELD_CODES.update(
    {
        fields.Field.default_error_messages["required"].msgid: "required",
        fields.Field.default_error_messages["null"].msgid: "null",
        fields.String.default_error_messages["invalid"].msgid: "not_a_string",
        fields.Email.default_error_messages["invalid"].msgid: "email",
        fields.Integer.default_error_messages["invalid"].msgid: "not_an_integer",
        fields.Number.default_error_messages["invalid"].msgid: "not_a_number",
        fields.Boolean.default_error_messages["invalid"].msgid: "not_a_boolean",
        fields.Date.default_error_messages["invalid"].msgid: "date",
        fields.DateTime.default_error_messages["invalid"].msgid: "datetime",
        validate.Length.message_min.msgid: "too_short",
        validate.Length.message_max.msgid: "too_long",
        validate.Length.message_all.msgid: "length",
        validate.Length.message_equal.msgid: "length",
        validate.OneOf.default_message.msgid: "not_allowed",
        validate.Range.message_min.msgid: "too_small",
        validate.Range.message_max.msgid: "too_large",
        validate.Range.message_all.msgid: "out_of_range",
        validate.Regexp.default_message.msgid: "format",
    }
)


class Input(Schema):
    """Base of every <Thing>Input: unknown keys (csrf_token, submit…) are ignored."""

    class Meta:
        unknown = EXCLUDE


def _blank_to_missing(data: dict, schema: Schema) -> dict:
    # HTML forms send "" for an empty field; treat it as absent (then "required" names it).
    return {k: v for k, v in data.items() if not (k in schema.fields and v == "")}


def load(schema: Schema, data) -> dict:
    """Validate a form MultiDict or a JSON dict, or raise ValidationFailed with every error."""
    if data is None:
        raise ValidationFailed({"_schema": [N_("Corps de requête JSON attendu.")]})
    if not isinstance(data, Mapping):  # a JSON list, string or number: no fields to read
        raise ValidationFailed({"_schema": [N_("Corps JSON (objet) attendu.")]})
    if hasattr(data, "getlist"):
        plain = {}
        for key in data:
            field = schema.fields.get(key)
            if isinstance(field, fields.List):
                plain[key] = [v for v in data.getlist(key) if v != ""]
            else:
                plain[key] = data.get(key)
        data = plain
    try:
        loaded = schema.load(_blank_to_missing(dict(data), schema))
    except ValidationError as err:
        raise ValidationFailed(_flatten(err.messages)) from err
    too_large = {name: [OUT_OF_RANGE] for name in _out_of_range(loaded)}
    if too_large:
        raise ValidationFailed(too_large)
    return loaded


# What an integer column holds (INTEGER: 32 bits on PostgreSQL): past it, a bound value fails
# in the driver (a server error) instead of matching nothing.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1
OUT_OF_RANGE = N_("Nombre hors des limites acceptées.")
FIELD_CODES[OUT_OF_RANGE.msgid] = "out_of_range"


class DatabaseInt(IntegerConverter):
    """The `<int:...>` of the routes, bounded to what the database stores."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def _out_of_range(value, path: str = "") -> list[str]:
    """The field names (dotted, as the forms name them) of integers the database cannot hold."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [path or "_schema"] if not DB_INT_MIN <= value <= DB_INT_MAX else []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return []
    found = []
    for key, item in items:
        found += _out_of_range(item, f"{path}.{key}" if path else str(key))
    return found


def _flatten(messages) -> dict:
    if isinstance(messages, dict):
        return {k: (v if isinstance(v, list) else [v]) for k, v in messages.items()}
    return {"_schema": list(messages)}


def id_value(text) -> int | None:
    """A decimal id from a form or a query string; None when it is not one (or not one the
    database can hold)."""
    text = str(text if text is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > DB_INT_MAX:
        return None
    return int(text)


# PostgreSQL text cannot hold a NUL character: bound in a filter, it fails in the driver.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error=N_("Caractère NUL interdit."))
FIELD_CODES[NO_NUL.error.msgid] = "nul_character"

PER_PAGE_MAX = 200
PAGE_MAX = 10**6


class PageQueryInput(Input):
    """A list's `page` and `per_page` query parameters (the pages past PAGE_MAX are refused,
    `per_page` is capped at PER_PAGE_MAX)."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=PAGE_MAX),
        metadata={"description": "Numéro de page (1 par défaut)"},
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1),
        metadata={"description": f"Éléments par page (50 par défaut, {PER_PAGE_MAX} au plus)"},
    )


def page_of(query: dict) -> tuple[int, int]:
    """The page and page size of a loaded PageQueryInput (removed from `query`)."""
    return query.pop("page"), min(query.pop("per_page"), PER_PAGE_MAX)
