"""JSON API of the catalogue and of each municipality's sub-processors (/api/v1/subprocessors)."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.apidoc import PAGING, Page, Param, operation
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.schemas import (
    ChainInput,
    MunicipalityRowSchema,
    SubprocessorDetailSchema,
    SubprocessorInput,
    SubprocessorSchema,
)
from rgpd_app.validation import load

bp = api_blueprint("subprocessors_api", __name__, "/subprocessors")
TAG = "sous-traitants"
_SUB_EXAMPLE = {
    "legal_name": "Hébergeur Exemple SAS",
    "address": "1 rue de l'Exemple, 75001 Paris",
    "contact": "dpo@hebergeur.example",
    "country": "FR",
    "processing_countries": ["FR"],
    "activities": ["hosting"],
    "dpa_reference": "DPA-2026-01",
}


def page_of(result, schema) -> dict:
    return {
        "items": schema.dump(result.items),
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
    }


@bp.get("")
@operation(
    "Catalogue des sous-traitants ultérieurs (personnel du sous-traitant)",
    tag=TAG,
    query=(Param("q", description="Raison sociale, en partie"), *PAGING),
    response=Page(SubprocessorSchema),
)
def index():
    result = services.catalogue.list_subprocessors(
        actor=api_actor(),
        now=clock.now(),
        q=request.args.get("q", ""),
        page=int_arg("page", 1, 10**6),
        per_page=int_arg("per_page", 50, 200),
    )
    return page_of(result, SubprocessorSchema(many=True))


@bp.post("")
@operation(
    "Ajouter au catalogue (DPO du sous-traitant)",
    tag=TAG,
    body=SubprocessorInput,
    example=_SUB_EXAMPLE,
    response=SubprocessorSchema,
    status=201,
)
def create():
    services.catalogue.require_editor(api_actor())  # a refused role: 403 before any 400
    data = load(SubprocessorInput(), request.get_json(silent=True))
    sub = services.catalogue.create_subprocessor(data, actor=api_actor(), now=clock.now())
    return SubprocessorSchema().dump(sub), 201


@bp.get("/<int:sub_id>")
@operation(
    "Une fiche, avec sa chaîne de sous-traitance", tag=TAG, response=SubprocessorDetailSchema
)
def detail(sub_id: int):
    sub = services.catalogue.get_subprocessor(sub_id, actor=api_actor(), now=clock.now())
    body = SubprocessorSchema().dump(sub)
    body["chain"] = [
        {"depth": depth, "subprocessor_id": child.id, "legal_name": child.legal_name,
         "relied_on_by_id": parent.id}
        for depth, child, parent in services.catalogue.chain_of(sub.id)
    ]  # fmt: skip
    return body


@bp.put("/<int:sub_id>")
@operation(
    "Modifier une fiche (DPO du sous-traitant)",
    tag=TAG,
    body=SubprocessorInput,
    example=_SUB_EXAMPLE,
    response=SubprocessorSchema,
)
def update(sub_id: int):
    services.catalogue.require_editor(api_actor())
    data = load(SubprocessorInput(), request.get_json(silent=True))
    sub = services.catalogue.update_subprocessor(sub_id, data, actor=api_actor(), now=clock.now())
    return SubprocessorSchema().dump(sub)


@bp.post("/<int:sub_id>/chain")
@operation(
    "Ajouter un sous-traitant dont celui-ci dépend (boucle refusée)",
    tag=TAG,
    body=ChainInput,
    example={"child_id": 2},
    response=SubprocessorSchema,
    status=201,
)
def add_link(sub_id: int):
    services.catalogue.require_editor(api_actor())
    data = load(ChainInput(), request.get_json(silent=True))
    sub = services.catalogue.add_chain_link(
        sub_id, data["child_id"], actor=api_actor(), now=clock.now()
    )
    return SubprocessorSchema().dump(sub), 201


@bp.delete("/<int:sub_id>/chain/<int:child_id>")
@operation("Retirer un lien de la chaîne", tag=TAG)
def remove_link(sub_id: int, child_id: int):
    services.catalogue.remove_chain_link(sub_id, child_id, actor=api_actor(), now=clock.now())
    return "", 204


@bp.get("/municipalities/<int:org_id>")
@operation(
    "Sous-traitants traitant les données d'une collectivité, avec leur chaîne et leur autorisation",
    tag=TAG,
    query=PAGING,
    response=Page(MunicipalityRowSchema, extra={"organisation_id": {"type": "integer"}}),
)
def municipality(org_id: int):
    org, rows = services.municipality.municipality_subprocessors(
        org_id, actor=api_actor(), now=clock.now()
    )
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 100, 200)
    chunk = rows[(page - 1) * per_page : page * per_page]
    return {
        "organisation_id": org.id,
        "items": MunicipalityRowSchema(many=True).dump(chunk),
        "total": len(rows),
        "page": page,
        "per_page": per_page,
    }
