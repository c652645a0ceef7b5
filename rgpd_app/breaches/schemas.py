"""Breach inputs (forms and JSON share them) and outputs (whitelisted fields)."""

import json

from marshmallow import Schema, ValidationError, fields, validate

from deadlines import DeadlineError, parse_instant
from rgpd_app.breaches import rules
from rgpd_app.messages import N_
from rgpd_app.validation import Input

_text = validate.Length(max=20000)
_count = validate.Range(min=0, max=10**9)


class ParisInstant(fields.Field):
    """An instant: ISO 8601 with an offset, or Europe/Paris wall time (a DST gap or fold is
    refused with the offsets to choose from, DESIGN §3). Loads as aware UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_instant(value if isinstance(value, str) else "", field=attr or "")
        except DeadlineError as err:
            raise ValidationError(err.message) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None


class Lines(fields.List):
    """A list of labels: a JSON list, or a form textarea with one label per line."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Length(min=1, max=300)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            value = [line.strip() for item in value for line in item.splitlines() if line.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


class FactsInput(Input):
    """The facts of a breach. No defaults: an update sends only what it changes."""

    started_at = ParisInstant()
    ended_at = ParisInstant(allow_none=True)
    is_ongoing = fields.Boolean()
    aware_at = ParisInstant()
    discovery = fields.String(validate=_text)
    description = fields.String(validate=_text)
    natures = fields.List(fields.String(validate=validate.OneOf(list(rules.NATURES))))
    origin = fields.String(validate=_text)
    cause = fields.String(validate=validate.OneOf(list(rules.CAUSES)))
    data_categories = Lines()
    person_categories = Lines()
    persons_count = fields.Integer(allow_none=True, validate=_count)
    records_count = fields.Integer(allow_none=True, validate=_count)
    consequences = fields.String(validate=_text)
    measures_taken = fields.String(validate=_text)
    measures_planned = fields.String(validate=_text)
    prior_measures = fields.String(validate=_text)
    contact_point = fields.String(validate=validate.Length(max=2000))


class BreachInput(FactsInput):
    """Recording: the facts, the municipalities concerned and the processings concerned."""

    started_at = ParisInstant(required=True)
    aware_at = ParisInstant(required=True)
    discovery = fields.String(required=True, validate=_text)
    description = fields.String(required=True, validate=_text)
    natures = fields.List(
        fields.String(validate=validate.OneOf(list(rules.NATURES))),
        required=True,
        validate=validate.Length(min=1, error=N_("Choisissez au moins une nature.")),
    )
    cause = fields.String(required=True, validate=validate.OneOf(list(rules.CAUSES)))
    contact_point = fields.String(required=True, validate=validate.Length(max=2000))

    organisation_ids = fields.List(fields.Integer(), load_default=list)
    activity_ids = fields.List(fields.Integer(), load_default=list)


class BreachUpdateInput(FactsInput):
    summary = fields.String(required=True, validate=validate.Length(min=3, max=5000))


class BreachMunicipalityInput(Input):
    organisation_id = fields.Integer(required=True)
    persons_count = fields.Integer(load_default=None, allow_none=True, validate=_count)
    records_count = fields.Integer(load_default=None, allow_none=True, validate=_count)


class BreachActivitiesInput(Input):
    activity_ids = fields.List(fields.Integer(), load_default=list)


class AcknowledgementInput(Input):
    acknowledged_at = ParisInstant(required=True)


class LetterInput(Input):
    sent_on = fields.Date(required=True)
    tracking_number = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9 -]{4,40}$", error=N_("Numéro de suivi invalide (lettres et chiffres).")
        ),
    )
    acknowledged_on = fields.Date(load_default=None, allow_none=True)


class BreachDecisionInput(Input):
    risk_level = fields.String(required=True, validate=validate.OneOf(list(rules.RISK_LEVELS)))
    risk_reasoning = fields.String(required=True, validate=_text)
    persons_information = fields.String(
        required=True, validate=validate.OneOf(list(rules.PERSONS_INFORMATION))
    )
    persons_informed_on = fields.Date(load_default=None, allow_none=True)
    persons_information_means = fields.String(load_default="", validate=_text)
    exemption = fields.String(load_default="", validate=validate.OneOf(["", *rules.EXEMPTIONS]))
    public_communication = fields.String(load_default="", validate=_text)


class CnilNotificationInput(Input):
    kind = fields.String(required=True, validate=validate.OneOf(list(rules.CNIL_KINDS)))
    notified_at = ParisInstant(required=True)
    cnil_reference = fields.String(load_default="", validate=validate.Length(max=60))
    delay_reason = fields.String(load_default="", validate=_text)


_LABELS = {"type": "array", "items": {"type": "string"}}
_NATURES = {"type": "array", "items": {"type": "string", "enum": list(rules.NATURES)}}


class BreachUpdateSchema(Schema):
    phase = fields.Integer()
    summary = fields.String()
    changed_fields = fields.Function(lambda u: json.loads(u.changed_fields), metadata=_LABELS)
    recorded_at = fields.DateTime()
    recorded_by_email = fields.String()


class BreachSummarySchema(Schema):
    """A breach in a list: its latest facts, without the history of its phases."""

    id = fields.Integer()
    reference = fields.String()
    phase = fields.Integer()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    is_ongoing = fields.Boolean()
    aware_at = fields.DateTime()
    discovery = fields.String()
    description = fields.String()
    natures = fields.Function(lambda b: json.loads(b.natures), metadata=_NATURES)
    origin = fields.String()
    cause = fields.String()
    data_categories = fields.Function(lambda b: json.loads(b.data_categories), metadata=_LABELS)
    person_categories = fields.Function(lambda b: json.loads(b.person_categories), metadata=_LABELS)
    persons_count = fields.Integer(allow_none=True)
    records_count = fields.Integer(allow_none=True)
    consequences = fields.String()
    measures_taken = fields.String()
    measures_planned = fields.String()
    prior_measures = fields.String()
    contact_point = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class BreachSchema(BreachSummarySchema):
    updates = fields.List(fields.Nested(BreachUpdateSchema))


class BreachDecisionSchema(Schema):
    risk_level = fields.String()
    risk_reasoning = fields.String()
    persons_information = fields.String()
    persons_informed_on = fields.Date(allow_none=True)
    persons_information_means = fields.String()
    exemption = fields.String()
    public_communication = fields.String()
    decided_at = fields.DateTime()


class CnilNotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    notified_at = fields.DateTime()
    cnil_reference = fields.String()
    delay_reason = fields.String()
    is_late = fields.Boolean()
    recorded_at = fields.DateTime()


class BreachNoticeSchema(Schema):
    """A notice and its clocks; `hours_left` is added by the caller (it depends on `now`)."""

    id = fields.Integer()
    breach_id = fields.Integer()
    reference = fields.Function(lambda n: n.breach.reference, metadata={"type": "string"})
    organisation_id = fields.Integer()
    organisation_name = fields.Function(lambda n: n.organisation.name, metadata={"type": "string"})
    persons_count = fields.Integer(allow_none=True)
    records_count = fields.Integer(allow_none=True)
    aware_at = fields.Function(
        lambda n: n.breach.aware_at.isoformat(),
        metadata={"type": "string", "format": "date-time"},
    )
    processor_target_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    email_accepted_at = fields.DateTime(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    notified_at = fields.DateTime(allow_none=True)
    authority_deadline_at = fields.DateTime(allow_none=True)
    hours_left = fields.Float(
        allow_none=True,
        metadata={"description": "Heures restantes avant la fin du délai CNIL (négatif passé)"},
    )
    letter_sent_on = fields.Date(allow_none=True)
    letter_tracking_number = fields.String()
    letter_acknowledged_on = fields.Date(allow_none=True)
    decision = fields.Nested(BreachDecisionSchema, allow_none=True)
    cnil_notifications = fields.List(fields.Nested(CnilNotificationSchema))


class BreachDetailSchema(BreachSchema):
    """A breach with its phases and its notice to each municipality."""

    notices = fields.List(fields.Nested(BreachNoticeSchema))


class BreachActivitiesSchema(Schema):
    activity_ids = fields.List(fields.Integer())
    suggested_organisation_ids = fields.List(fields.Integer())


class BreachRegisterRowSchema(Schema):
    """One line of the register (breaches.register.row): a breach as it concerns one
    municipality, its labels in French."""

    notice_id = fields.Integer()
    reference = fields.String()
    municipality = fields.String()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    is_ongoing = fields.Boolean()
    aware_at = fields.DateTime()
    natures = fields.List(fields.String())
    cause = fields.String()
    origin = fields.String()
    description = fields.String()
    data_categories = fields.List(fields.String())
    person_categories = fields.List(fields.String())
    persons_count = fields.Integer(allow_none=True)
    consequences = fields.String()
    measures_taken = fields.String()
    measures_planned = fields.String()
    phase = fields.Integer()
    notified_at = fields.DateTime(allow_none=True)
    authority_deadline_at = fields.DateTime(allow_none=True)
    risk_level = fields.String()
    cnil_notified_at = fields.DateTime(allow_none=True)
    delay_reason = fields.String()
    persons_information = fields.String()


class CnilFormFieldSchema(Schema):
    label = fields.String()
    source = fields.String()
    value = fields.String()


class CnilFormSectionSchema(Schema):
    title = fields.String()
    entries = fields.List(fields.Nested(CnilFormFieldSchema), attribute="fields", data_key="fields")


class CnilFormSchema(Schema):
    """The prepared CNIL notification (breaches.cnil_form.build), laid out in its sections."""

    form = fields.String()
    notice_id = fields.Integer()
    reference = fields.String()
    organisation = fields.String()
    generated_at = fields.String(metadata={"format": "date-time"})
    sections = fields.List(fields.Nested(CnilFormSectionSchema))
