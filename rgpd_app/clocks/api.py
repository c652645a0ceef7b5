from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.clocks import services
from rgpd_app.clocks.schemas import DeadlineQueryInput, EcheanceSchema
from rgpd_app.validation import load

bp = api_blueprint("clocks_api", __name__)


@bp.get("/deadlines")
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
    return result.to_dict()


@bp.get("/echeances")
def echeances():
    items = services.echeances_for(api_actor(), now=clock.now())
    return {"items": EcheanceSchema(many=True).dump(items), "total": len(items)}
