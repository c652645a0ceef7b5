"""One validation path: marshmallow Input schemas with French messages (translated where shown,
rgpd_app.messages), for forms and JSON."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from rgpd_app.errors import ValidationFailed
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
        return schema.load(_blank_to_missing(dict(data), schema))
    except ValidationError as err:
        raise ValidationFailed(_flatten(err.messages)) from err


def _flatten(messages) -> dict:
    if isinstance(messages, dict):
        return {k: (v if isinstance(v, list) else [v]) for k, v in messages.items()}
    return {"_schema": list(messages)}
