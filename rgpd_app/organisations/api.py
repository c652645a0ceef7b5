"""The processor and the municipalities it serves, with their contract parameters."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.apidoc import PAGING, Page, Param, operation
from rgpd_app.foundation import roles
from rgpd_app.foundation.tenancy import require
from rgpd_app.organisations import services
from rgpd_app.organisations.models import CONTROLLER, PROCESSOR
from rgpd_app.organisations.schemas import OrganisationInput, OrganisationSchema
from rgpd_app.validation import load

bp = api_blueprint("organisations_api", __name__, "/organisations")
TAG = "organisations"
_EXAMPLE = {
    "name": "Commune de Colmar",
    "siren": "216800664",
    "departement": "68",
    "address": "1 place de la Mairie, 68000 Colmar",
    "dpo_name": "Claire Weber",
    "dpo_email": "dpo@colmar.example",
    "contract_reference": "CT-2026-014",
    "contract_start_on": "2026-01-01",
}


@bp.get("")
@operation(
    "Organisations visibles : le sous-traitant, et les collectivités que le jeton voit",
    tag=TAG,
    query=(
        Param("q", description="Nom ou SIREN, en partie"),
        Param("kind", description="Sous-traitant ou collectivités", enum=(PROCESSOR, CONTROLLER)),
        Param("sort", description="Tri", enum=tuple(services.SORTS)),
        *PAGING,
    ),
    response=Page(OrganisationSchema),
)
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
        "page": result.page,
        "per_page": result.per_page,
    }


@bp.get("/processor")
@operation(
    "La fiche du sous-traitant (tout compte la lit ; un administrateur la modifie par PUT)",
    tag=TAG,
    response=OrganisationSchema,
    errors=(404,),  # before `flask rgpd create-org --processor`
)
def processor():
    org = services.get_processor(actor=api_actor(), now=clock.now())
    return OrganisationSchema().dump(org)


@bp.get("/<int:org_id>")
@operation("Une organisation (sa lecture est journalisée)", tag=TAG, response=OrganisationSchema)
def detail(org_id: int):
    org = services.get_organisation(org_id, actor=api_actor(), now=clock.now())
    return OrganisationSchema().dump(org)


@bp.post("")
@operation(
    "Créer une collectivité (administrateur)",
    tag=TAG,
    description="Les délais du contrat absents prennent leur valeur par défaut (DESIGN.md §3).",
    body=OrganisationInput,
    example=_EXAMPLE,
    response=OrganisationSchema,
    status=201,
)
def create():
    require(api_actor(), roles.ADMIN)  # a refused role: 403 before any 400
    data = load(OrganisationInput(), request.get_json(silent=True))
    org = services.create_organisation(data, actor=api_actor(), now=clock.now())
    return OrganisationSchema().dump(org), 201


@bp.put("/<int:org_id>")
@operation(
    "Modifier la fiche d'une collectivité ou du sous-traitant (administrateur)",
    tag=TAG,
    description="La fiche entière, comme à la création : un champ absent reprend sa valeur par "
    "défaut. Le sous-traitant garde le renouvellement annuel des mots de passe (annexe §1).",
    body=OrganisationInput,
    example=_EXAMPLE,
    response=OrganisationSchema,
)
def update(org_id: int):
    require(api_actor(), roles.ADMIN)
    data = load(OrganisationInput(), request.get_json(silent=True))
    org = services.update_organisation(org_id, data, actor=api_actor(), now=clock.now())
    return OrganisationSchema().dump(org)
