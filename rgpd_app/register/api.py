"""JSON API of the register: /api/v1/processings."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Binary, Page, operation
from rgpd_app.exports import FORMATS, MIMETYPES
from rgpd_app.exports.jobs import api as job_api
from rgpd_app.exports.models import ExportJob
from rgpd_app.foundation.tenancy import require
from rgpd_app.register import copy_jobs, copying, exporting, history, listing, services
from rgpd_app.register.access import KEEPER
from rgpd_app.register.schemas import (
    PER_PAGE_MAX,
    CopyInput,
    HistoryQueryInput,
    ProcessingAsOfSchema,
    ProcessingCopiesSchema,
    ProcessingInput,
    ProcessingSchema,
    ProcessingSummarySchema,
    RegisterExportQueryInput,
    RegisterExportRowSchema,
    RegisterListQueryInput,
    StatusInput,
    VersionSchema,
    version_row,
)
from rgpd_app.validation import load

bp = api_blueprint("register_api", __name__, "/processings")
TAG = "registre"

_PROCESSING_EXAMPLE = {
    "controller_id": 1,
    "name": "Gestion de l'état civil",
    "description": "Tenue des registres et délivrance des actes d'état civil",
    "purposes": [{"label": "Tenir les registres d'état civil"}],
    "legal_bases": ["legal_obligation"],
    "data_subjects": ["Administrés"],
    "data_categories": [
        {
            "label": "Identité",
            "purpose": "Tenir les registres d'état civil",
            "retention_value": 75,
            "retention_unit": "years",
        }
    ],
    "recipients": ["Officiers d'état civil"],
    "estimated_persons": 5000,
    "operations": ["hosting"],
    "measures": [{"family": "access_control", "description": "Comptes nominatifs"}],
}


def _filters(query: dict) -> listing.Filters:
    """The filters of a loaded RegisterFiltersInput."""
    return listing.Filters(
        q=query["q"].strip(),
        controller_id=query["controller_id"],
        status=query["status"] or "",
        special=query["special"],
        transfers=query["transfers"],
        pending_consent=query["pending_consent"],
    )


def _page(query: dict) -> tuple[int, int]:
    return query["page"], min(PER_PAGE_MAX, query["per_page"])


def dump(described) -> dict:
    return ProcessingSchema().dump(
        described.entry
        | {
            "completeness": described.completeness.percent,
            "missing": described.completeness.missing,
            "problems": described.problems,
        }
    )


@bp.get("")
@operation(
    "Registre des traitements visibles (filtres et pages)",
    tag=TAG,
    query=RegisterListQueryInput,
    response=Page(ProcessingSummarySchema),
)
def index():
    query = load(RegisterListQueryInput(), request.args)
    page, per_page = _page(query)
    result = listing.list_activities(
        _filters(query), actor=api_actor(), now=clock.now(), page=page, per_page=per_page
    )
    return {
        "items": ProcessingSummarySchema(many=True).dump(result.items),
        "total": result.total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/export")
@operation(
    "Exporter le registre (CSV, XLSX, ODS, JSON, PDF)",
    tag=TAG,
    description="La liste filtrée (`register=list`, par défaut), le registre art. 30(2) "
    "(`register=processor`) ou le registre art. 30(1) d'une collectivité "
    "(`register=controller` avec `controller_id`) ; chaque export est journalisé. Un long "
    "export XLSX, ODS ou PDF est confié au worker : réponse 202, à suivre sur "
    "/api/v1/exports/{id}.",
    query=RegisterExportQueryInput,
    response=Binary(
        tuple(MIMETYPES[f] for f in FORMATS),
        "Le registre",
        json=RegisterExportRowSchema(many=True),
    ),
    errors=(404,),
    accepted=True,
)
def export():
    """The filtered list (`register=list`, default), the art. 30(2) register (`processor`) or a
    controller's art. 30(1) register (`controller` with `controller_id`) in `format`; a long
    XLSX/ODS/PDF export is queued for the worker: 202 and where to follow it."""
    query = load(RegisterExportQueryInput(), request.args)
    answer = exporting.export_register(
        query["format"], query["register"], _filters(query), actor=api_actor(), now=clock.now()
    )
    return job_api.accepted(answer) if isinstance(answer, ExportJob) else answer


@bp.post("")
@operation(
    "Créer un traitement (DPO du sous-traitant ; DPO de la collectivité pour la sienne)",
    tag=TAG,
    body=ProcessingInput,
    example=_PROCESSING_EXAMPLE,
    response=ProcessingSchema,
    status=201,
    errors=(404,),
    description="`controller_id` et `name` obligatoires ; le traitement naît brouillon.",
)
def create():
    data = services.validated(request.get_json(silent=True), actor=api_actor(), now=clock.now())
    activity = services.create_activity(data, actor=api_actor(), now=clock.now())
    return dump(services.describe(activity)), 201


@bp.get("/<int:activity_id>")
@operation("Un traitement, sa complétude et ses problèmes", tag=TAG, response=ProcessingSchema)
def detail(activity_id: int):
    return dump(services.get_activity(activity_id, actor=api_actor(), now=clock.now()))


@bp.patch("/<int:activity_id>")
@operation(
    "Modifier un traitement : champs présents seulement, avec la `version` lue",
    tag=TAG,
    body=ProcessingInput,
    example={"version": 1, "recipients": ["Officiers d'état civil", "Procureur de la République"]},
    response=ProcessingSchema,
    description="`version` obligatoire (409 si elle n'est plus la dernière) ; les champs "
    "absents restent inchangés ; la collectivité ne change pas (copier le traitement).",
)
def update(activity_id: int):
    data = services.validated(
        request.get_json(silent=True), actor=api_actor(), activity_id=activity_id, now=clock.now()
    )
    activity = services.update_activity(activity_id, data, actor=api_actor(), now=clock.now())
    return dump(services.describe(activity))


@bp.post("/<int:activity_id>/status")
@operation(
    "Valider ou archiver un traitement (DPO du sous-traitant)",
    tag=TAG,
    body=StatusInput,
    example={"status": "validated", "version": 3},
    response=ProcessingSchema,
    description="Un traitement incomplet ou avec un problème n'est pas validé (400, "
    "`incomplete`) ; la `version` lue, si donnée, doit être la dernière (409).",
)
def status(activity_id: int):
    require(api_actor(), KEEPER)  # a refused role: 403 before any 400
    data = load(StatusInput(), request.get_json(silent=True))
    activity = services.change_status(
        activity_id, data["status"], actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return dump(services.describe(activity))


@bp.post("/<int:activity_id>/copies")
@operation(
    "Copier un traitement type vers plusieurs collectivités (DPO du sous-traitant)",
    tag=TAG,
    body=CopyInput,
    example={"controller_ids": [2, 3, 4]},
    response=ProcessingCopiesSchema,
    status=201,
    accepted=True,
    description="Au-delà de RGPD_COPY_INLINE_MAX collectivités, la copie est confiée au "
    "worker (202, à suivre sur /api/v1/exports/{id}) ; son fichier rend compte de chaque copie.",
)
def copies(activity_id: int):
    """Copies made at once (201), or, past COPY_INLINE_MAX municipalities, queued for the
    worker (202 and the job, whose file reports each copy)."""
    require(api_actor(), KEEPER)  # a refused role: 403 before any 400
    data = load(CopyInput(), request.get_json(silent=True))
    actor, now = api_actor(), clock.now()
    if copy_jobs.needs_worker(len(set(data["controller_ids"]))):
        return job_api.accepted(
            copy_jobs.request_copy(activity_id, data["controller_ids"], actor=actor, now=now)
        )
    made = copying.copy_to_many(activity_id, data["controller_ids"], actor=actor, now=now)
    return ProcessingCopiesSchema().dump({"items": made}), 201


_HISTORY = {
    "oneOf": [
        {
            "type": "object",
            "description": "Sans `on` : les versions, la plus récente d'abord (pages)",
            "required": ["items", "total", "page", "per_page"],
            "properties": {
                "items": {"type": "array", "items": VersionSchema},
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
            },
        },
        ProcessingAsOfSchema,
    ]
}


@bp.get("/<int:activity_id>/history")
@operation(
    "Versions du traitement (qui, quand, quoi) ; avec `on=AAAA-MM-JJ`, l'état à cette date",
    tag=TAG,
    query=HistoryQueryInput,
    response=_HISTORY,
)
def versions(activity_id: int):
    actor, now = api_actor(), clock.now()
    query = load(HistoryQueryInput(), request.args)
    if query["on"] is not None:
        entry = history.as_of(activity_id, query["on"], actor=actor, now=now)
        return ProcessingAsOfSchema().dump({"on": query["on"], "entry": entry})
    page, per_page = _page(query)
    _, result = history.list_history(
        activity_id, actor=actor, now=now, page=page, per_page=per_page
    )
    return {
        "items": VersionSchema(many=True).dump([version_row(v) for v in result.items]),
        "total": result.total,
        "page": page,
        "per_page": per_page,
    }
