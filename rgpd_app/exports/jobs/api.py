"""/api/v1/exports: the state of a long export the token's user asked for, and its file."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Binary, Page, operation
from rgpd_app.exports.jobs import services as jobs
from rgpd_app.exports.models import ExportJob
from rgpd_app.exports.response import MIMETYPES, file_response
from rgpd_app.exports.schemas import ExportJobQueryInput, ExportJobSchema
from rgpd_app.validation import load, page_of

bp = api_blueprint("exports_api", __name__, "/exports")
TAG = "exports"
_EXAMPLE = {
    "id": "3f9a1c2e4b5d46e7a8b9c0d1e2f3a4b5",
    "title": "Registre des traitements — Montigny",
    "format": "pdf",
    "state": "done",
    "rows_done": 1200,
    "rows_total": 1200,
    "percent": 100,
    "requested_at": "2026-03-02T08:30:00+00:00",
    "finished_at": "2026-03-02T08:31:12+00:00",
    "expires_at": "2026-03-09T08:31:12+00:00",
    "filename": "registre-montigny.pdf",
    "size": 845211,
    "sha256": "4a5b6c7d8e9f00112233445566778899aabbccddeeff00112233445566778899",
    "error": None,
    "status_url": "/api/v1/exports/3f9a1c2e4b5d46e7a8b9c0d1e2f3a4b5",
    "file_url": "/api/v1/exports/3f9a1c2e4b5d46e7a8b9c0d1e2f3a4b5/file",
}


def describe(export: ExportJob) -> dict:
    return ExportJobSchema().dump(export)


def accepted(export: ExportJob):
    """202 for an export queued for the worker, with where to follow it."""
    described = describe(export)
    return described, 202, {"Location": described["status_url"]}


@bp.get("")
@operation(
    "Les exports longs demandés par l'utilisateur du jeton, les plus récents d'abord",
    tag=TAG,
    query=ExportJobQueryInput,
    response=Page(ExportJobSchema),
)
def index():
    page, per_page = page_of(load(ExportJobQueryInput(), request.args))
    found = jobs.page_of_jobs(actor=api_actor(), page=page, per_page=per_page)
    return {
        "items": ExportJobSchema(many=True).dump(found.items),
        "total": found.total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/<public_id>")
@operation(
    "Un export long : état, avancement, empreinte SHA-256 et adresse du fichier",
    tag=TAG,
    description="Seul l'utilisateur qui l'a demandé le voit (404 pour tout autre).",
    response=ExportJobSchema,
    response_example=_EXAMPLE,
)
def show(public_id: str):
    return describe(jobs.get_job(public_id, actor=api_actor()))


@bp.get("/<public_id>/file")
@operation(
    "Le fichier d'un export long terminé (téléchargement journalisé)",
    tag=TAG,
    description="404 tant qu'il n'est pas terminé, ou une fois expiré.",
    response=Binary(
        tuple(m for fmt, m in MIMETYPES.items() if fmt != "json"),
        "Le fichier, au format demandé",
        json={"description": "Un export JSON : ses lignes"},
    ),
)
def download(public_id: str):
    return file_response(*jobs.open_download(public_id, actor=api_actor(), now=clock.now()))
