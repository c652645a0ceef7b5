from flask import Blueprint, redirect, render_template, request, url_for

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
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.files import download_response
from rgpd_app.messages import N_
from rgpd_app.organisations import picking
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


def _typed(values, actor):
    """The form or filter with its typed municipality (processor staff) as `organisation_id`."""
    return picking.with_typed(values, actor=actor) if actor.is_processor_staff else values


def _form_context(actor, values) -> dict:
    return {
        "organisation_text": picking.typed_text(values, actor=actor),
        "interventions": services.open_interventions(None, actor=actor),
        **LABELS,
    }


def _failed(err) -> dict:
    return picking.on_typed_field(form_errors_of(err), request.values)


@bp.route("/")
@roles_required(*rules.READERS)
def index():
    actor, now, page = current_actor(), clock.now(), page_arg()
    try:
        filters = load(DepositFilter(), _typed(request.args, actor))
    except ValidationFailed as err:
        return render_template(
            "deposits/index.html", items=[], total=0, page=1, per_page=PER_PAGE,
            filters=load(DepositFilter(), {}), overdue=set(), errors=_failed(err),
            organisation_text=request.args.get("organisation", ""),
            can_pick=actor.is_processor_staff, **LABELS,
        ), 400  # fmt: skip
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
        errors={},
        organisation_text=picking.typed_text(request.args, actor=actor),
        can_pick=actor.is_processor_staff,
        **LABELS,
    )


@bp.route("/receive", methods=["GET", "POST"])
@roles_required(*rules.UPLOADERS)
def receive():
    actor, errors = current_actor(), {}
    if request.method == "POST":
        try:
            data = load(ReceiveInput(), _typed(request.form, actor))
            deposit = services.receive_upload(
                take_upload("file"), data, actor=actor, now=clock.now()
            )
        except DomainError as err:
            errors = _failed(err)
        else:
            flash(N_("L'archive AES-256 a été reçue et vérifiée."), "success")
            return redirect(url_for("deposits.detail", deposit_id=deposit.id))
    return render_template(
        "deposits/receive.html",
        errors=errors,
        form=request.form,
        **_form_context(actor, request.form),
    ), (400 if errors else 200)


@bp.route("/send", methods=["GET", "POST"])
@roles_required(*rules.HANDLERS)
def send():
    actor, errors = current_actor(), {}
    if request.method == "POST":
        try:
            data = load(SendInput(), _typed(request.form, actor))
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
        "deposits/send.html", errors=errors, form=request.form, **_form_context(actor, request.form)
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
            data = load(InterventionInput(), _typed(request.form, actor))
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
        organisation_text=picking.typed_text(request.form, actor=actor),
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
