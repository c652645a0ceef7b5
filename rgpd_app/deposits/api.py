from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Binary, Page, operation
from rgpd_app.deposits import rules, services
from rgpd_app.deposits.schemas import DepositListQuery, DepositViewSchema
from rgpd_app.files import download_response
from rgpd_app.foundation.tenancy import require
from rgpd_app.validation import load, page_of

bp = api_blueprint("deposits_api", __name__, "/deposits")
TAG = "dépôts"
_DEPOSIT_EXAMPLE = {
    "id": 57,
    "organisation_id": 2,
    "organisation_name": "Montigny",
    "intervention_id": 12,
    "direction": "received",
    "source": "ftp",
    "state": "verified",
    "original_filename": "extraction-etat-civil.zip",
    "size": 482113,
    "sha256": "9f2c1a0b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
    "check_code": "ok",
    "check_message": "Archive AES-256 vérifiée.",
    "recipient_email": "",
    "created_at": "2026-03-02T08:30:00+00:00",
    "created_by": None,
    "remote_path": "/depots/montigny/extraction-etat-civil.zip",
    "remote_deleted_at": "2026-03-02T08:31:00+00:00",
    "upload_attempts": 0,
    "last_error": "",
    "sent_at": None,
    "destroyed_at": None,
    "destroyed_by": None,
    "is_overdue": False,
}


def _dump(deposit, now) -> dict:
    return DepositViewSchema().dump(
        DepositViewSchema.viewed(deposit, services.is_overdue(deposit, now))
    )


@bp.get("")
@operation(
    "Dépôts de fichiers visibles (reçus et envoyés), les plus récents d'abord",
    tag=TAG,
    query=DepositListQuery,
    response=Page(DepositViewSchema),
)
def index():
    now, actor = clock.now(), api_actor()
    require(actor, *rules.READERS)  # a refused role: 403 before any 400
    filters = load(DepositListQuery(), request.args)
    page, per_page = page_of(filters)
    result = services.list_deposits(
        actor=actor, now=now, filters=filters, page=page, per_page=per_page
    )
    return {
        "items": [_dump(d, now) for d in result.items],
        "total": result.total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/<int:deposit_id>")
@operation(
    "Un dépôt : empreinte, vérification, état, destruction",
    tag=TAG,
    response=DepositViewSchema,
    response_example=_DEPOSIT_EXAMPLE,
)
def detail(deposit_id: int):
    now = clock.now()
    return _dump(services.get_deposit(deposit_id, actor=api_actor(), now=now), now)


@bp.get("/<int:deposit_id>/download")
@operation(
    "Télécharger l'archive AES-256 (support, sécurité, DPO de la collectivité)",
    tag=TAG,
    description="Une archive en quarantaine n'est remise qu'au responsable de la sécurité "
    "(403) ; un dépôt détruit répond 409. Le téléchargement est journalisé.",
    response=Binary(("application/zip",), "L'archive zip chiffrée (AES-256)"),
    errors=(409,),
)
def download(deposit_id: int):
    path, name = services.open_download(deposit_id, actor=api_actor(), now=clock.now())
    return download_response(path, name, mimetype="application/zip")
