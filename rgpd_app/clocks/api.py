from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Page, operation
from rgpd_app.clocks import services
from rgpd_app.clocks.schemas import (
    DeadlineCalculationSchema,
    DeadlineQueryInput,
    EcheanceQueryInput,
    EcheanceSchema,
)
from rgpd_app.validation import load, page_of

bp = api_blueprint("clocks_api", __name__)
TAG = "délais"


@bp.get("/deadlines")
@operation(
    "Calculer l'échéance d'un délai du contrat, avec son explication",
    tag=TAG,
    description="`start` : un jour (AAAA-MM-JJ) pour un délai en jours ou en mois, un instant "
    "ISO 8601 (heure de Paris sans décalage) pour un délai en heures. Sans `calendar`, le "
    "calendrier de la collectivité (sinon la métropole) ; sans `length`, la durée de son "
    "contrat (sinon celle par défaut).",
    query=DeadlineQueryInput,
    response=DeadlineCalculationSchema,
    errors=(404,),
    response_example={
        "clock": "subprocessor-objection",
        "label": "Objection à un nouveau sous-traitant ultérieur",
        "calendar": "FR",
        "calendar_label": "France métropolitaine",
        "organisation_id": None,
        "kind": "days",
        "length": 10,
        "start": "2026-05-01",
        "raw_end": "2026-05-11",
        "deadline": "2026-05-11",
        "closes_at": "2026-05-12T00:00:00+02:00",
        "steps": [{"code": "clock", "text": "Délai : 10 jours calendaires."}],
    },
)
def deadlines():
    data = load(DeadlineQueryInput(), request.args)
    organisation = services.contract_for(data["organisation_id"], actor=api_actor())
    result = services.compute(
        data["clock"],
        data["start"],
        data["calendar"],
        organisation=organisation,
        length=data["length"],
    )
    return DeadlineCalculationSchema().dump(result)


@bp.get("/echeances")
@operation(
    "Mes échéances : délais en cours, les plus urgents d'abord",
    tag=TAG,
    query=EcheanceQueryInput,
    response=Page(EcheanceSchema),
)
def echeances():
    page, per_page = page_of(load(EcheanceQueryInput(), request.args))
    items = services.echeances_for(api_actor(), now=clock.now())
    start = (page - 1) * per_page
    return {
        "items": EcheanceSchema(many=True).dump(items[start : start + per_page]),
        "total": len(items),
        "page": page,
        "per_page": per_page,
    }
