"""JSON API of the register: /api/v1/processings."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.errors import ValidationFailed
from rgpd_app.exports import job_api
from rgpd_app.exports.models import ExportJob
from rgpd_app.messages import N_
from rgpd_app.register import copy_jobs, copying, exporting, history, listing, services
from rgpd_app.register.schemas import (
    CopyInput,
    ProcessingSchema,
    ProcessingSummarySchema,
    VersionSchema,
)
from rgpd_app.validation import id_value, load

bp = api_blueprint("register_api", __name__, "/processings")

_TRUE = {"1", "true", "yes", "on"}


def filters_from(args) -> listing.Filters:
    controller = args.get("controller_id", "")
    return listing.Filters(
        q=args.get("q", "").strip(),
        controller_id=id_value(controller),
        status=args.get("status", ""),
        special=args.get("special", "").lower() in _TRUE,
        transfers=args.get("transfers", "").lower() in _TRUE,
        pending_consent=args.get("pending_consent", "").lower() in _TRUE,
    )


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
def index():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    result = listing.list_activities(
        filters_from(request.args), actor=api_actor(), now=clock.now(), page=page, per_page=per_page
    )
    return {
        "items": ProcessingSummarySchema(many=True).dump(result.items),
        "total": result.total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/export")
def export():
    """The filtered list (`register=list`, default), the art. 30(2) register (`processor`) or a
    controller's art. 30(1) register (`controller` with `controller_id`) in `format`; a long
    XLSX/ODS/PDF export is queued for the worker: 202 and where to follow it."""
    answer = exporting.export_register(
        request.args.get("format", "json"),
        request.args.get("register", exporting.FILTERED_LIST),
        filters_from(request.args),
        actor=api_actor(),
        now=clock.now(),
    )
    return job_api.accepted(answer) if isinstance(answer, ExportJob) else answer


@bp.post("")
def create():
    data = services.validated(request.get_json(silent=True), actor=api_actor(), now=clock.now())
    activity = services.create_activity(data, actor=api_actor(), now=clock.now())
    return dump(services.describe(activity)), 201


@bp.get("/<int:activity_id>")
def detail(activity_id: int):
    return dump(services.get_activity(activity_id, actor=api_actor(), now=clock.now()))


@bp.patch("/<int:activity_id>")
def update(activity_id: int):
    data = services.validated(
        request.get_json(silent=True), actor=api_actor(), activity_id=activity_id, now=clock.now()
    )
    activity = services.update_activity(activity_id, data, actor=api_actor(), now=clock.now())
    return dump(services.describe(activity))


@bp.post("/<int:activity_id>/status")
def status(activity_id: int):
    body = request.get_json(silent=True) or {}
    target = body.get("status")
    if target not in ("validated", "archived"):
        raise ValidationFailed({"status": [N_("Valeur attendue : validated ou archived.")]})
    version = body.get("version")
    activity = services.change_status(
        activity_id, target, actor=api_actor(), now=clock.now(),
        version=version if isinstance(version, int) else None,
    )  # fmt: skip
    return dump(services.describe(activity))


@bp.post("/<int:activity_id>/copies")
def copies(activity_id: int):
    """Copies made at once (201), or, past COPY_INLINE_MAX municipalities, queued for the
    worker (202 and the job, whose file reports each copy)."""
    data = load(CopyInput(), request.get_json(silent=True))
    actor, now = api_actor(), clock.now()
    if copy_jobs.needs_worker(len(set(data["controller_ids"]))):
        return job_api.accepted(
            copy_jobs.request_copy(activity_id, data["controller_ids"], actor=actor, now=now)
        )
    made = copying.copy_to_many(activity_id, data["controller_ids"], actor=actor, now=now)
    return {"items": [{"id": c.id, "controller_id": c.controller_id} for c in made]}, 201


@bp.get("/<int:activity_id>/history")
def versions(activity_id: int):
    actor, now = api_actor(), clock.now()
    on = request.args.get("on", "")
    if on:
        day = _parse_day(on)
        entry = history.as_of(activity_id, day, actor=actor, now=now)
        return {"on": day.isoformat(), "entry": entry}
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    _, result = history.list_history(
        activity_id, actor=actor, now=now, page=page, per_page=per_page
    )
    return {
        "items": VersionSchema(many=True).dump([version_row(v) for v in result.items]),
        "total": result.total,
        "page": page,
        "per_page": per_page,
    }


def _parse_day(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise ValidationFailed({"on": [N_("Date invalide (format AAAA-MM-JJ).")]}) from err


def version_row(version) -> dict:
    import json

    return {
        "version": version.version,
        "action": version.action,
        "changed_at": version.changed_at.isoformat(),
        "changed_by": version.changed_by_email,
        "changes": json.loads(version.changed_fields),
    }
