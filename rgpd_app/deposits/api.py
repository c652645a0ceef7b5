from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.deposits import apidoc, services  # noqa: F401  (apidoc: OpenAPI paths)
from rgpd_app.deposits.schemas import DepositFilter, DepositSchema
from rgpd_app.files import download_response
from rgpd_app.validation import load

bp = api_blueprint("deposits_api", __name__, "/deposits")


def _dump(deposit, now) -> dict:
    return DepositSchema().dump(deposit) | {"is_overdue": services.is_overdue(deposit, now)}


@bp.get("")
def index():
    now = clock.now()
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    filters = load(
        DepositFilter(), {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    )
    result = services.list_deposits(
        actor=api_actor(), now=now, filters=filters, page=page, per_page=per_page
    )
    return {
        "items": [_dump(d, now) for d in result.items],
        "total": result.total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/<int:deposit_id>")
def detail(deposit_id: int):
    now = clock.now()
    return _dump(services.get_deposit(deposit_id, actor=api_actor(), now=now), now)


@bp.get("/<int:deposit_id>/download")
def download(deposit_id: int):
    path, name = services.open_download(deposit_id, actor=api_actor(), now=clock.now())
    return download_response(path, name, mimetype="application/zip")
