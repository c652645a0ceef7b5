"""JSON API under /api/v1/requests: the same Input schemas and services as the pages."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.exports import export_response
from rgpd_app.requests import apidoc, billing, services  # noqa: F401  (apidoc: OpenAPI paths)
from rgpd_app.requests.schemas import (
    AssistanceExtensionInput,
    AssistanceInput,
    AssistanceOutcomeInput,
    AssistanceTimeInput,
    AssistanceTimeSchema,
    ControllerExtensionInput,
    RequestFiltersInput,
    RequestSummarySchema,
    SubjectRequestInput,
    request_dict,
)
from rgpd_app.validation import load

bp = api_blueprint("requests_api", __name__, "/requests")


def _body() -> dict:
    return request.get_json(silent=True) or {}


def _dump(item) -> dict:
    return request_dict(item, services.clocks_for(item))


@bp.get("")
def index():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    filters = load(RequestFiltersInput(), request.args)
    found = services.list_requests(
        actor=api_actor(), now=clock.now(), filters=filters, page=page, per_page=per_page
    )
    return {
        "items": RequestSummarySchema(many=True).dump(found.items),
        "total": found.total,
        "page": page,
        "per_page": per_page,
    }


@bp.post("")
def create():
    data = load(SubjectRequestInput(), request.get_json(silent=True))
    return _dump(services.recording.record_request(data, actor=api_actor(), now=clock.now())), 201


@bp.post("/assistance")
def ask():
    data = load(AssistanceInput(), request.get_json(silent=True))
    return _dump(services.recording.ask_assistance(data, actor=api_actor(), now=clock.now())), 201


@bp.get("/<int:request_id>")
def detail(request_id: int):
    return _dump(services.read_request(request_id, actor=api_actor(), now=clock.now()))


@bp.get("/<int:request_id>/identity")
def identity(request_id: int):
    values = services.recording.read_identity(request_id, actor=api_actor(), now=clock.now())
    purged = values["purged_at"]
    return {**values, "purged_at": purged.isoformat() if purged else None}


@bp.post("/<int:request_id>/extend")
def extend(request_id: int):
    data = load(AssistanceExtensionInput(), _body())
    return _dump(services.assistance.extend(request_id, data, actor=api_actor(), now=clock.now()))


@bp.post("/<int:request_id>/time")
def log_time(request_id: int):
    data = load(AssistanceTimeInput(), _body())
    entry = services.assistance.log_time(request_id, data, actor=api_actor(), now=clock.now())
    return AssistanceTimeSchema().dump(entry), 201


@bp.post("/<int:request_id>/outcome")
def outcome(request_id: int):
    data = load(AssistanceOutcomeInput(), _body())
    return _dump(services.assistance.close(request_id, data, actor=api_actor(), now=clock.now()))


@bp.post("/<int:request_id>/controller-extension")
def controller_extension(request_id: int):
    data = load(ControllerExtensionInput(), _body())
    item = services.recording.extend_controller_deadline(
        request_id, data, actor=api_actor(), now=clock.now()
    )
    return _dump(item)


@bp.post("/<int:request_id>/close")
def close(request_id: int):
    return _dump(services.recording.close_request(request_id, actor=api_actor(), now=clock.now()))


@bp.get("/<int:request_id>/billing")
def billing_export(request_id: int):
    fmt = request.args.get("format", "json")
    item, rows = billing.statement(request_id, actor=api_actor(), now=clock.now(), fmt=fmt)
    return export_response(
        fmt,
        rows=rows,
        columns=billing.COLUMNS,
        filename=f"assistance-{item.reference}",
        title=f"Temps passé — demande {item.reference}",
    )
