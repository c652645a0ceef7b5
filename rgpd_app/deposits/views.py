from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from rgpd_app import clock
from rgpd_app.deposits import rules, services
from rgpd_app.deposits.schemas import (
    AttachInput,
    DepositFilter,
    InterventionInput,
    ReceiveInput,
    SendInput,
)
from rgpd_app.deposits.uploads import install, take_upload
from rgpd_app.errors import DomainError
from rgpd_app.extensions import db
from rgpd_app.files import download_response
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.tenancy import scope
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, form_errors_of, page_arg, roles_required

bp = Blueprint("deposits", __name__, url_prefix="/deposits")
bp.record_once(lambda state: install(state.app))

PER_PAGE = 25
LABELS = {
    "states": rules.STATE_LABELS,
    "directions": rules.DIRECTION_LABELS,
    "intervention_states": rules.INTERVENTION_LABELS,
}


def _organisations(actor) -> list[Organisation]:
    stmt = scope(select(Organisation), Organisation.id, actor).where(
        Organisation.kind == CONTROLLER
    )
    return list(db.session.scalars(stmt.order_by(Organisation.name)))


def _form_context(actor) -> dict:
    return {
        "organisations": _organisations(actor),
        "interventions": services.open_interventions(None, actor=actor),
        **LABELS,
    }


_failed = form_errors_of


@bp.route("/")
@roles_required(*rules.READERS)
def index():
    actor, now, page = current_actor(), clock.now(), page_arg()
    filters = load(DepositFilter(), request.args)
    result = services.list_deposits(
        actor=actor, now=now, filters=filters, page=page, per_page=PER_PAGE
    )
    overdue = {d.id for d in result.items if services.is_overdue(d, now)}
    return render_template(
        "deposits/index.html",
        items=result.items,
        total=result.total,
        page=page,
        per_page=PER_PAGE,
        filters=filters,
        overdue=overdue,
        organisations=_organisations(actor),
        **LABELS,
    )


@bp.route("/receive", methods=["GET", "POST"])
@roles_required(*rules.UPLOADERS)
def receive():
    actor, errors = current_actor(), {}
    if request.method == "POST":
        try:
            data = load(ReceiveInput(), request.form)
            deposit = services.receive_upload(
                take_upload("file"), data, actor=actor, now=clock.now()
            )
        except DomainError as err:
            errors = _failed(err)
        else:
            flash(N_("L'archive AES-256 a été reçue et vérifiée."), "success")
            return redirect(url_for("deposits.detail", deposit_id=deposit.id))
    return render_template(
        "deposits/receive.html", errors=errors, form=request.form, **_form_context(actor)
    ), (400 if errors else 200)


@bp.route("/send", methods=["GET", "POST"])
@roles_required(*rules.HANDLERS)
def send():
    actor, errors = current_actor(), {}
    if request.method == "POST":
        try:
            data = load(SendInput(), request.form)
            deposit, password = services.send_file(
                take_upload("file"), data, actor=actor, now=clock.now()
            )
        except DomainError as err:
            errors = _failed(err)
        else:
            answer = render_template("deposits/sent.html", deposit=deposit, password=password)
            # Shown once: never cached, never put in the session or a redirect.
            return answer, 201, {"Cache-Control": "no-store"}
    return render_template(
        "deposits/send.html", errors=errors, form=request.form, **_form_context(actor)
    ), (400 if errors else 200)


@bp.route("/<int:deposit_id>")
@roles_required(*rules.READERS)
def detail(deposit_id: int):
    actor, now = current_actor(), clock.now()
    deposit = services.get_deposit(deposit_id, actor=actor, now=now)
    choices = []
    if deposit.organisation_id and deposit.intervention_id is None:
        choices = services.open_interventions(deposit.organisation_id, actor=actor)
    return render_template(
        "deposits/detail.html",
        deposit=deposit,
        choices=choices,
        is_overdue=services.is_overdue(deposit, now),
        now=now,
        **LABELS,
    )


@bp.route("/<int:deposit_id>/download")
@roles_required(*rules.READERS)
def download(deposit_id: int):
    path, name = services.open_download(deposit_id, actor=current_actor(), now=clock.now())
    return download_response(path, name, mimetype="application/zip")


@bp.post("/<int:deposit_id>/destroy")
@roles_required(*rules.READERS)
def destroy(deposit_id: int):
    services.destroy_deposit(deposit_id, actor=current_actor(), now=clock.now())
    flash(
        N_("Le fichier a été détruit ; la copie du serveur FTP est supprimée par le worker."),
        "success",
    )
    return redirect(url_for("deposits.detail", deposit_id=deposit_id))


@bp.post("/<int:deposit_id>/attach")
@roles_required(*rules.READERS)
def attach(deposit_id: int):
    data = load(AttachInput(), request.form)
    services.attach(deposit_id, data["intervention_id"], actor=current_actor(), now=clock.now())
    flash(N_("Le dépôt est rattaché à l'intervention."), "success")
    return redirect(url_for("deposits.detail", deposit_id=deposit_id))


@bp.route("/interventions/")
@roles_required(*rules.READERS)
def interventions():
    actor, page = current_actor(), page_arg()
    state = request.args.get("state", "")
    result = services.list_interventions(
        actor=actor, now=clock.now(), filters={"state": state}, page=page, per_page=PER_PAGE
    )
    return render_template(
        "deposits/interventions.html",
        items=result.items,
        total=result.total,
        page=page,
        per_page=PER_PAGE,
        state=state,
        **LABELS,
    )


@bp.route("/interventions/new", methods=["GET", "POST"])
@roles_required(*rules.HANDLERS)
def new_intervention():
    actor, errors = current_actor(), {}
    if request.method == "POST":
        try:
            data = load(InterventionInput(), request.form)
            item = services.open_intervention(data, actor=actor, now=clock.now())
        except DomainError as err:
            errors = _failed(err)
        else:
            flash(N_("L'intervention est ouverte."), "success")
            return redirect(url_for("deposits.intervention", intervention_id=item.id))
    return render_template(
        "deposits/intervention_form.html",
        errors=errors,
        form=request.form,
        organisations=_organisations(actor),
    ), (400 if errors else 200)


@bp.route("/interventions/<int:intervention_id>")
@roles_required(*rules.READERS)
def intervention(intervention_id: int):
    actor, now = current_actor(), clock.now()
    item = services.get_intervention(intervention_id, actor=actor)
    return render_template(
        "deposits/intervention.html", item=item, now=now, is_overdue=services.is_overdue, **LABELS
    )


@bp.post("/interventions/<int:intervention_id>/close")
@roles_required(*rules.READERS)
def close(intervention_id: int):
    services.close_intervention(intervention_id, actor=current_actor(), now=clock.now())
    flash(N_("L'intervention est close ; sa clôture attend la validation du DPO."), "success")
    return redirect(url_for("deposits.intervention", intervention_id=intervention_id))


@bp.post("/interventions/<int:intervention_id>/validate")
@roles_required(*rules.READERS)
def validate(intervention_id: int):
    services.validate_intervention(intervention_id, actor=current_actor(), now=clock.now())
    flash(N_("Clôture validée : les fichiers de l'intervention sont détruits."), "success")
    return redirect(url_for("deposits.intervention", intervention_id=intervention_id))


@bp.route("/interventions/<int:intervention_id>/certificate.pdf")
@roles_required(*rules.READERS)
def certificate(intervention_id: int):
    path, name = services.certificate_file(intervention_id, actor=current_actor(), now=clock.now())
    return download_response(path, name, mimetype="application/pdf")
