from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from rgpd_app.messages import N_
from rgpd_app.organisations import rules
from rgpd_app.validation import Input

_days = validate.Range(min=1, max=366)


class OrganisationInput(Input):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    siren = fields.String(required=True)
    address = fields.String(load_default="", validate=validate.Length(max=500))
    departement = fields.String(required=True)
    dpo_name = fields.String(load_default="", validate=validate.Length(max=200))
    # A callable default: none is documented, since OpenAPI refuses "" as an e-mail's default.
    dpo_email = fields.Email(load_default=str, validate=validate.Length(max=254))
    dpo_phone = fields.String(load_default="", validate=validate.Regexp(r"^[0-9 +().-]{0,30}$"))
    contract_reference = fields.String(load_default="", validate=validate.Length(max=100))
    contract_start_on = fields.Date(load_default=None)
    contract_end_on = fields.Date(load_default=None)
    is_password_renewal_required = fields.Boolean(load_default=False)
    breach_processor_hours = fields.Integer(load_default=24, validate=validate.Range(min=1, max=72))
    breach_authority_hours = fields.Integer(load_default=72, validate=validate.Range(min=1, max=72))
    objection_days = fields.Integer(load_default=7, validate=_days)
    audit_notice_days = fields.Integer(load_default=30, validate=_days)
    auditor_refusal_days = fields.Integer(load_default=15, validate=_days)
    audit_observations_days = fields.Integer(load_default=15, validate=_days)
    audit_corrective_months = fields.Integer(load_default=3, validate=validate.Range(min=1, max=24))
    audit_interval_months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=60))
    assistance_days = fields.Integer(load_default=15, validate=_days)
    assistance_extension_days = fields.Integer(
        load_default=8, validate=validate.Range(min=0, max=60)
    )
    auditor_access_days = fields.Integer(load_default=30, validate=validate.Range(min=0, max=366))

    @validates("siren")
    def _siren(self, value, **_):
        value = value.replace(" ", "")
        if not rules.siren_is_valid(value):
            raise ValidationError(
                N_("SIREN invalide : 9 chiffres dont le dernier est une clé de contrôle.")
            )

    @validates("departement")
    def _departement(self, value, **_):
        if not rules.departement_is_valid(value.strip().upper()):
            raise ValidationError(N_("Département inconnu (01 à 95, 2A, 2B, 971 à 974 ou 976)."))

    @validates_schema
    def _dates(self, data, **_):
        start, end = data.get("contract_start_on"), data.get("contract_end_on")
        if start and end and end < start:
            raise ValidationError(N_("La fin du contrat précède son début."), "contract_end_on")


class OrganisationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    siren = fields.String()
    address = fields.String()
    departement = fields.String()
    calendar_code = fields.String()
    dpo_name = fields.String()
    dpo_email = fields.String()
    dpo_phone = fields.String()
    contract_reference = fields.String()
    contract_start_on = fields.Date(allow_none=True)
    contract_end_on = fields.Date(allow_none=True)
    is_password_renewal_required = fields.Boolean()
    breach_processor_hours = fields.Integer()
    breach_authority_hours = fields.Integer()
    objection_days = fields.Integer()
    audit_notice_days = fields.Integer()
    auditor_refusal_days = fields.Integer()
    audit_observations_days = fields.Integer()
    audit_corrective_months = fields.Integer()
    audit_interval_months = fields.Integer()
    assistance_days = fields.Integer()
    assistance_extension_days = fields.Integer()
    auditor_access_days = fields.Integer()
