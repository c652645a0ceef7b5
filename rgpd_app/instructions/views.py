"""Instruction pages: register with filters, in force per processing, exports, one form per step."""

from flask import Blueprint, abort, redirect, render_template, request, url_for

from rgpd_app import clock
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.exports import export_response
from rgpd_app.extensions import db
from rgpd_app.files import Upload, download_response
from rgpd_app.instructions import access, decisions, exporting, rules, services
from rgpd_app.instructions.schemas import (
    AppliedInput,
    CnilInput,
    ConfirmInput,
    FiltersInput,
    FlagInput,
    InstructionInput,
    InstructionUpdateInput,
    WithdrawInput,
)
from rgpd_app.messages import N_
from rgpd_app.paging import sort_key
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("instructions", __name__, url_prefix="/instructions")

PER_PAGE = 25
STEPS = {
    "acknowledge": (None, decisions.acknowledge, N_("L'accusé de réception est enregistré.")),
    "flag": (FlagInput, decisions.flag, N_("L'alerte est envoyée ; l'instruction est suspendue.")),
    "confirm": (ConfirmInput, decisions.confirm, N_("La confirmation écrite est enregistrée.")),
    "withdraw": (WithdrawInput, decisions.withdraw, N_("L'instruction est retirée.")),
    "cnil": (CnilInput, decisions.refer_to_cnil, N_("La saisine de la CNIL est enregistrée.")),
    "applied": (AppliedInput, decisions.mark_applied, N_("L'instruction est marquée appliquée.")),
}


def _uploads(name: str = "attachments") -> list[Upload]:
    return [
        Upload(f.filename, f.read(), f.mimetype or "application/octet-stream")
        for f in request.files.getlist(name)
        if f and f.filename
    ]


def _filters() -> dict:
    try:
        return load(FiltersInput(), request.args)
    except ValidationFailed:
        return {}


@bp.get("/")
@roles_required(*rules.READERS)
def index():
    actor, page, filters = current_actor(), page_arg(), _filters()
    sort = sort_key(request.args.get("sort", ""), access.SORTS, access.DEFAULT_SORT)
    found = services.list_instructions(
        actor=actor, now=clock.now(), filters=filters, sort=sort, page=page, per_page=PER_PAGE
    )
    return render_template(
        "instructions/index.html",
        found=found,
        filters=filters,
        sort=sort,
        states=rules.STATE_LABELS,
        can_give=actor.has(*rules.GIVERS) and not actor.is_processor_staff,
    )


@bp.get("/export")
@roles_required(*rules.READERS)
def export():
    actor, fmt, filters = current_actor(), request.args.get("format", "csv"), _filters()
    rows = exporting.export_rows(actor=actor, filters=filters)
    return export_response(
        fmt,
        rows=rows,
        columns=exporting.COLUMNS,
        filename="instructions",
        title="Registre des instructions écrites",
        on_done=lambda count: exporting.journal_export(
            actor=actor, now=clock.now(), fmt=fmt, count=count
        ),
    )


@bp.get("/in-force")
@roles_required(*rules.READERS)
def in_force():
    filters = _filters()
    found = services.inforce.in_force_listing(
        actor=current_actor(), now=clock.now(), filters=filters, page=page_arg(), per_page=PER_PAGE
    )
    return render_template(
        "instructions/in_force.html", found=found, filters=filters, labels=rules.STATE_LABELS
    )


def _form_page(template: str, *, form, errors, item=None, status=200):
    choices = services.form_choices(actor=current_actor())
    return render_template(template, form=form, errors=errors, item=item, **choices), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*rules.GIVERS)
def new():
    actor = current_actor()
    if request.method == "GET":
        form = {"supersedes_id": request.args.get("supersedes_id", "")}
        return _form_page("instructions/form.html", form=form, errors={})
    try:
        data = load(InstructionInput(), request.form)
        item = services.record_instruction(data, _uploads(), actor=actor, now=clock.now())
    except DomainError as err:
        db.session.rollback()
        errors = err.fields or {"_form": [err.message]}
        return _form_page("instructions/form.html", form=request.form, errors=errors, status=400)
    flash(
        N_(
            "L'instruction %(reference)s est enregistrée et transmise au sous-traitant.",
            reference=item.reference,
        ),
        "success",
    )
    return redirect(url_for("instructions.detail", instruction_id=item.id))


@bp.get("/<int:instruction_id>")
@roles_required(*rules.READERS)
def detail(instruction_id: int):
    actor = current_actor()
    item = services.read_instruction(instruction_id, actor=actor, now=clock.now())
    return render_template(
        "instructions/detail.html",
        item=item,
        labels=rules.STATE_LABELS,
        actions=rules.allowed_actions(item.state),
        purposes=services.purposes_from(item),
        can_give=actor.has(*rules.GIVERS) and not actor.is_processor_staff,
        can_handle=actor.has(*rules.HANDLERS) and actor.is_processor_staff,
    )


@bp.route("/<int:instruction_id>/edit", methods=["GET", "POST"])
@roles_required(*rules.GIVERS)
def edit(instruction_id: int):
    actor = current_actor()
    item = services.get_instruction(instruction_id, actor=actor, roles=rules.GIVERS)
    if request.method == "GET":
        form = {
            "subject": item.subject,
            "text": item.text,
            "effective_on": item.effective_on.isoformat(),
            "activity_ids": [a.id for a in item.activities],
        }
        return _form_page("instructions/edit.html", form=form, errors={}, item=item)
    try:
        data = load(InstructionUpdateInput(), request.form)
        services.update_instruction(instruction_id, data, actor=actor, now=clock.now())
    except DomainError as err:
        db.session.rollback()
        errors = err.fields or {"_form": [err.message]}
        form = {**request.form, "activity_ids": request.form.getlist("activity_ids")}
        return _form_page(
            "instructions/edit.html", form=form, errors=errors, item=item, status=err.status
        )
    return _done(instruction_id, N_("L'instruction est corrigée."))


def _done(instruction_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("instructions.detail", instruction_id=instruction_id))


def _refused(instruction_id: int, err: DomainError):
    db.session.rollback()
    texts = [m for messages in err.fields.values() for m in messages] or [err.message]
    for text in dict.fromkeys(texts):
        flash(text, "error")
    return redirect(url_for("instructions.detail", instruction_id=instruction_id)), 303


@bp.post("/<int:instruction_id>/attachments")
@roles_required(*rules.GIVERS)
def attachments(instruction_id: int):
    try:
        services.add_attachments(instruction_id, _uploads(), actor=current_actor(), now=clock.now())
    except DomainError as err:
        if err.status in (403, 404):
            raise
        return _refused(instruction_id, err)
    return _done(instruction_id, N_("Les pièces jointes sont ajoutées."))


@bp.get("/<int:instruction_id>/attachments/<int:attachment_id>")
@roles_required(*rules.READERS)
def attachment(instruction_id: int, attachment_id: int):
    found, path = services.open_attachment(
        instruction_id, attachment_id, actor=current_actor(), now=clock.now()
    )
    return download_response(path, found.original_filename)


@bp.post("/<int:instruction_id>/<step>")
@roles_required(*rules.GIVERS, *rules.HANDLERS)
def step(instruction_id: int, step: str):
    if step not in STEPS:
        abort(404)
    schema, service, message = STEPS[step]
    actor, now = current_actor(), clock.now()
    try:
        if schema is None:
            service(instruction_id, actor=actor, now=now)
        else:
            service(instruction_id, load(schema(), request.form), actor=actor, now=now)
    except DomainError as err:
        if err.status in (403, 404):
            raise
        return _refused(instruction_id, err)
    return _done(instruction_id, message)
