"""One validation path: marshmallow Input schemas with French messages, for forms and JSON."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from rgpd_app.errors import ValidationFailed

fields.Field.default_error_messages.update(
    required="Ce champ est obligatoire.",
    null="Ce champ ne peut pas être vide.",
    validator_failed="Valeur invalide.",
)
fields.String.default_error_messages.update(invalid="Texte attendu.")
fields.Email.default_error_messages.update(invalid="Adresse e-mail invalide.")
fields.Integer.default_error_messages.update(invalid="Nombre entier attendu.")
fields.Number.default_error_messages.update(invalid="Nombre attendu.")
fields.Boolean.default_error_messages.update(invalid="Oui ou non attendu.")
fields.Date.default_error_messages.update(
    invalid="Date invalide (format AAAA-MM-JJ).", format="Date invalide (format AAAA-MM-JJ)."
)
fields.DateTime.default_error_messages.update(
    invalid="Date et heure invalides.", format="Date et heure invalides."
)
validate.Length.message_min = "Au moins {min} caractères."
validate.Length.message_max = "Au plus {max} caractères."
validate.Length.message_all = "Entre {min} et {max} caractères."
validate.Length.message_equal = "Exactement {equal} caractères."
validate.OneOf.default_message = "Valeur non autorisée (choix possibles : {choices})."
validate.Range.message_min = "Doit être {min_op} {{min}}."
validate.Range.message_max = "Doit être {max_op} {{max}}."
validate.Range.message_all = "Doit être {min_op} {{min}} et {max_op} {{max}}."
validate.Range.message_gte = "supérieur ou égal à"
validate.Range.message_gt = "supérieur à"
validate.Range.message_lte = "inférieur ou égal à"
validate.Range.message_lt = "inférieur à"
validate.Regexp.default_message = "Format invalide."


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
        raise ValidationFailed({"_schema": ["Corps de requête JSON attendu."]})
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
        return {k: (v if isinstance(v, list) else [str(v)]) for k, v in messages.items()}
    return {"_schema": list(messages)}
