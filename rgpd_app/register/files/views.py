"""The register's files: the export menu's answers, the import template and the import wizard
(upload → report → confirm, the confirmation carrying the stored upload's id, not the file)."""

from flask import Blueprint, redirect, render_template, request, url_for

from rgpd_app import clock
from rgpd_app.accounts import reauth
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.exports import export_response
from rgpd_app.exports.models import ExportJob
from rgpd_app.extensions import db
from rgpd_app.messages import N_
from rgpd_app.organisations import picking
from rgpd_app.register import exporting
from rgpd_app.register.access import EDITORS, READERS
from rgpd_app.register.files import services as imports
from rgpd_app.register.rules import FIELD_LABELS
from rgpd_app.register.schemas import filters_from
from rgpd_app.validation import id_value
from rgpd_app.web import current_actor, flash, roles_required

bp = Blueprint("register_files", __name__, url_prefix="/register")

TEMPLATE_FORMATS = ("csv", "xlsx", "ods")


def _whole_register() -> bool:
    return request.values.get("register", exporting.FILTERED_LIST) != exporting.FILTERED_LIST


@bp.route("/export", methods=["GET", "POST"])
@roles_required(*READERS)
@reauth.confirmation_required(_whole_register)  # a filtered list is not the whole register
def export():
    """GET answers what a request can build; an export for the worker is queued by POST only
    (the GET shows the confirmation form), so a link cannot create a job."""
    args = request.form if request.method == "POST" else request.args
    filters = filters_from(args)
    try:
        answer = exporting.export_register(
            args.get("format", "csv"),
            args.get("register", exporting.FILTERED_LIST),
            filters,
            actor=current_actor(),
            now=clock.now(),
            may_queue=request.method == "POST",
        )
    except exporting.QueueNeeded as needed:
        db.session.rollback()
        fields = [(k, v) for k, v in args.items(multi=True) if k != "csrf_token"]
        return render_template("register/export_confirm.html", rows=needed.rows, fields=fields)
    except DomainError as err:
        if err.status != 400:
            raise
        db.session.rollback()
        for messages in err.fields.values() or [[err.message]]:
            for message in messages:
                flash(message, "error")
        return redirect(url_for("register.index", **filters.as_dict()))
    if isinstance(answer, ExportJob):  # too long for a request: the worker builds it
        return redirect(url_for("exports.show", public_id=answer.public_id))
    return answer


@bp.get("/import/template")
@roles_required(*EDITORS)
def import_template():
    fmt = request.args.get("format", "xlsx")
    if fmt not in TEMPLATE_FORMATS:
        fmt = "xlsx"
    return export_response(
        fmt,
        rows=[],
        columns=exporting.COLUMNS,
        filename="modele-import-registre",
        title="Registre des traitements",
    )


def _form(errors=None, status=200, controller_id="", text=None, candidates=()):
    actor = current_actor()
    if text is None:
        text = picking.label_of(id_value(controller_id) or 0, actor=actor)
    return render_template(
        "register/import.html",
        can_pick_controller=actor.is_processor_staff,
        controller_text=text,
        candidates=candidates,
        errors=errors or {},
        columns=exporting.COLUMNS,
        formats=TEMPLATE_FORMATS,
        field_labels=FIELD_LABELS,
    ), status


@bp.get("/import")
@roles_required(*EDITORS)
def import_start():
    return _form(controller_id=request.args.get("controller_id", ""))


@bp.post("/import")
@roles_required(*EDITORS)
def import_upload():
    upload = request.files.get("file")
    actor = current_actor()
    controller_id, text = request.form.get("controller_id", ""), None
    if "controller" in request.form:  # processor staff type the municipality
        text = request.form["controller"].strip()
        try:
            match = picking.resolve(text, actor=actor, field="controller")
        except ValidationFailed as err:
            return _form(err.fields, 400, text=text, candidates=getattr(err, "candidates", ()))
        controller_id = str(match.id) if match else ""
    if upload is None or not upload.filename:
        return _form({"file": ["Choisissez un fichier."]}, 400, controller_id, text)
    try:
        checked = imports.upload_file(
            upload.stream,
            upload.filename,
            controller_id=controller_id,
            actor=actor,
            now=clock.now(),
        )
    except DomainError as err:
        if err.status != 400:
            raise
        db.session.rollback()
        errors = picking.on_typed_field(
            err.fields or {"_form": [err.message]}, request.form, "controller", "controller_id"
        )
        return _form(errors, 400, controller_id, text)
    return _report(checked)


def _report(checked, status=None):
    return render_template("register/import_report.html", checked=checked), status or (
        400 if checked.issues else 200
    )


@bp.post("/import/confirm")
@roles_required(*EDITORS)
def import_confirm():
    try:
        made = imports.confirm_import(
            request.form.get("upload_id", ""), actor=current_actor(), now=clock.now()
        )
    except imports.ImportRefused as err:
        return _report(err.checked)
    controller_id = made[0].controller_id if made else None
    flash(N_("%(n)s traitement(s) importé(s), chacun en brouillon.", n=len(made)), "success")
    return redirect(url_for("register.index", controller_id=controller_id))
