from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.organisations import services
from rgpd_app.organisations.schemas import OrganisationInput, OrganisationSchema
from rgpd_app.validation import load

bp = api_blueprint("organisations_api", __name__, "/organisations")


@bp.get("")
def index():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    result = services.list_organisations(
        actor=api_actor(),
        now=clock.now(),
        q=request.args.get("q", ""),
        kind=request.args.get("kind", ""),
        sort=request.args.get("sort", "name"),
        page=page,
        per_page=per_page,
    )
    return {
        "items": OrganisationSchema(many=True).dump(result.items),
        "total": result.total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/<int:org_id>")
def detail(org_id: int):
    org = services.get_organisation(org_id, actor=api_actor(), now=clock.now())
    return OrganisationSchema().dump(org)


@bp.post("")
def create():
    data = load(OrganisationInput(), request.get_json(silent=True))
    org = services.create_organisation(data, actor=api_actor(), now=clock.now())
    return OrganisationSchema().dump(org), 201
