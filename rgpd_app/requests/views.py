"""Data-subject request pages: list with filters, recording, assistance, one form per step."""

from flask import Blueprint, abort, redirect, render_template, request, url_for

from rgpd_app import clock
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.exports import export_response
from rgpd_app.extensions import db
from rgpd_app.messages import N_
from rgpd_app.organisations import picking
from rgpd_app.paging import sort_key
from rgpd_app.requests import access, billing, rules, services
from rgpd_app.requests.schemas import (
    AssistanceExtensionInput,
    AssistanceInput,
    AssistanceOutcomeInput,
    AssistanceTimeInput,
    ControllerExtensionInput,
    RequestFiltersInput,
    SubjectRequestInput,
)
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("requests", __name__, url_prefix="/requests")

PER_PAGE = 25
STEPS = {
    "extend": (
        AssistanceExtensionInput,
        services.assistance.extend,
        N_("Le délai d'assistance est prolongé."),
    ),
    "time": (
        AssistanceTimeInput,
        services.assistance.log_time,
        N_("Le temps passé est enregistré."),
    ),
    "outcome": (
        AssistanceOutcomeInput,
        services.assistance.close,
        N_("Le résultat de l'assistance est enregistré."),
    ),
    "controller-extension": (
        ControllerExtensionInput,
        services.recording.extend_controller_deadline,
        N_("Votre délai de réponse est prolongé de deux mois."),
    ),
    "close": (None, services.recording.close_request, N_("La demande est close.")),
}
LABELS = {
    "kinds": rules.KINDS,
    "channels": rules.CHANNELS,
    "states": rules.STATE_LABELS,
    "origins": rules.ORIGINS,
    "reasons": rules.EXTENSION_REASONS,
    "outcomes": rules.OUTCOMES,
}


def _filters() -> dict:
    try:
        return load(RequestFiltersInput(), request.args)
    except ValidationFailed:
        return {}


def _is_processor(*roles) -> bool:
    actor = current_actor()
    return actor.has(*roles) and actor.is_processor_staff


def _is_municipality(*roles) -> bool:
    actor = current_actor()
    return actor.has(*roles) and not actor.is_processor_staff


@bp.get("/")
@roles_required(*rules.READERS)
def index():
    filters = _filters()
    sort = sort_key(request.args.get("sort", ""), access.SORTS, access.DEFAULT_SORT)
    found = services.list_requests(
        actor=current_actor(), now=clock.now(), filters=filters, sort=sort, page=page_arg(),
        per_page=PER_PAGE,
    )  # fmt: skip
    return render_template(
        "requests/index.html",
        found=found,
        filters=filters,
        sort=sort,
        clocks_for=services.clocks_for,
        can_record=_is_processor(*rules.RECORDERS),
        can_ask=_is_municipality(*rules.ASKERS),
        **LABELS,
    )


def _form(template: str, form, errors: dict, status: int = 200, **extra):
    return render_template(template, form=form, errors=errors, **LABELS, **extra), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*rules.RECORDERS)
def new():
    actor = current_actor()
    if request.method == "GET":
        return _form("requests/new.html", {}, {}, organisation_text="")
    try:
        item = services.recording.record_request(
            load(SubjectRequestInput(), picking.with_typed(request.form, actor=actor)),
            actor=actor,
            now=clock.now(),
        )
    except DomainError as err:
        db.session.rollback()
        if err.status in (403, 404):
            raise
        errors = picking.on_typed_field(err.fields or {"_form": [err.message]}, request.form)
        form = {k: v for k, v in request.form.items() if k != "requester_identity"}
        text = picking.typed_text(request.form, actor=actor)
        return _form("requests/new.html", form, errors, 400, organisation_text=text)
    flash(
        N_(
            "La demande %(reference)s est enregistrée et transmise à la collectivité.",
            reference=item.reference,
        ),
        "success",
    )
    return redirect(url_for("requests.detail", request_id=item.id))


@bp.route("/assistance", methods=["GET", "POST"])
@roles_required(*rules.ASKERS)
def ask():
    actor = current_actor()
    if request.method == "GET":
        return _form("requests/assistance.html", dict(request.args), {})
    try:
        item = services.recording.ask_assistance(
            load(AssistanceInput(), request.form), actor=actor, now=clock.now()
        )
    except DomainError as err:
        db.session.rollback()
        if err.status in (403, 404):
            raise
        errors = err.fields or {"_form": [err.message]}
        form = {k: v for k, v in request.form.items() if k != "requester_identity"}
        return _form("requests/assistance.html", form, errors, 400)
    flash(
        N_(
            "La demande d'assistance %(reference)s est transmise au sous-traitant.",
            reference=item.reference,
        ),
        "success",
    )
    return redirect(url_for("requests.detail", request_id=item.id))


def _detail(request_id: int, identity: dict | None = None):
    actor = current_actor()
    item = services.read_request(request_id, actor=actor, now=clock.now())
    return render_template(
        "requests/detail.html",
        item=item,
        clocks=services.clocks_for(item),
        now=clock.now(),
        identity=identity,
        can_read_identity=actor.has(*rules.IDENTITY_READERS),
        can_handle=_is_processor(*rules.HANDLERS),
        can_log=_is_processor(*rules.TIME_LOGGERS),
        can_ask=_is_municipality(*rules.ASKERS),
        can_close=actor.has(*rules.CLOSERS),
        **LABELS,
    )


@bp.get("/<int:request_id>")
@roles_required(*rules.READERS)
def detail(request_id: int):
    return _detail(request_id)


@bp.post("/<int:request_id>/identity")
@roles_required(*rules.IDENTITY_READERS)
def identity(request_id: int):
    values = services.recording.read_identity(request_id, actor=current_actor(), now=clock.now())
    return _detail(request_id, identity=values)


@bp.get("/<int:request_id>/billing")
@roles_required(*billing.READERS)
def billing_export(request_id: int):
    actor, fmt = current_actor(), request.args.get("format", "csv")
    item, rows = billing.statement(request_id, actor=actor, now=clock.now(), fmt=fmt)
    return export_response(
        fmt,
        rows=rows,
        columns=billing.COLUMNS,
        filename=f"assistance-{item.reference}",
        title=f"Temps passé — demande {item.reference}",
    )


@bp.post("/<int:request_id>/<step>")
@roles_required(*rules.HANDLERS, *rules.TIME_LOGGERS, *rules.CLOSERS, *rules.ASKERS)
def step(request_id: int, step: str):
    if step not in STEPS:
        abort(404)
    schema, service, message = STEPS[step]
    actor, now = current_actor(), clock.now()
    try:
        if schema is None:
            service(request_id, actor=actor, now=now)
        else:
            service(request_id, load(schema(), request.form), actor=actor, now=now)
    except DomainError as err:
        if err.status in (403, 404):
            raise
        db.session.rollback()
        texts = [m for messages in err.fields.values() for m in messages] or [err.message]
        for text in dict.fromkeys(texts):
            flash(text, "error")
        return redirect(url_for("requests.detail", request_id=request_id)), 303
    flash(message, "success")
    return redirect(url_for("requests.detail", request_id=request_id))
