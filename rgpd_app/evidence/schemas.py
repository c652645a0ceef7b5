"""The API's evidence pack request and answers."""

from datetime import date

from marshmallow import Schema, fields, validate

from rgpd_app.exports.schemas import ExportJobSchema
from rgpd_app.validation import Input

# Nothing was journaled before this day: an earlier period is a mistake (and its default
# start, a year before, would leave the calendar).
_EARLIEST = validate.Range(min=date(2000, 1, 1))


class EvidencePackInput(Input):
    """POST /api/v1/evidence-packs. Without a period: the twelve months up to today."""

    controller_id = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0),
        metadata={"description": "La collectivité (sous-traitant) ; la sienne pour son DPO"},
    )
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        validate=_EARLIEST,
        metadata={"description": "Premier jour de la période (un an avant `to` par défaut)"},
    )
    to = fields.Date(
        load_default=None,
        validate=_EARLIEST,
        metadata={"description": "Dernier jour de la période (aujourd'hui par défaut)"},
    )

    def params(self, data: dict) -> dict:
        """The job's parameters, as the web form gives them (dates as AAAA-MM-JJ)."""
        return {
            "controller_id": data["controller_id"],
            "from": data["from_"].isoformat() if data["from_"] else None,
            "to": data["to"].isoformat() if data["to"] else None,
        }


class EvidencePackJobSchema(ExportJobSchema):
    """The queued pack's export job, with its password: shown this once, never again."""

    password = fields.String(metadata={"description": "Le mot de passe du paquet (AES-256)"})


class PackCheckSchema(Schema):
    intact = fields.Boolean(metadata={"description": "Archive, signature et journal intacts"})
    problems = fields.List(fields.String(), metadata={"description": "Chaque défaut trouvé"})
