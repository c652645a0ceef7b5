"""Notice pages: the processor DPO prepares, sends and follows; a municipality answers."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext

from rgpd_app import clock
from rgpd_app.errors import DomainError
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.messages import N_
from rgpd_app.register.choices import OPERATIONS
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.notices import rules as notice_rules
from rgpd_app.subprocessors.notices.schemas import (
    ApprovalInput,
    ObjectionInput,
    ObjectionOutcomeInput,
    ReceiptInput,
    SubprocessorNoticeInput,
)
from rgpd_app.subprocessors.notices.services import READERS, activities_of
from rgpd_app.subprocessors.notices.text import notice_lines, notice_title
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("subprocessor_notices", __name__, url_prefix="/subprocessors/notices")
PER_PAGE = 20
DPO = roles.PROCESSOR_DPO


def _refusal(err: DomainError) -> dict:
    """A refused action is shown on the page; a 403/404 propagates."""
    if err.status not in (400, 409):
        raise err
    db.session.rollback()
    return err.fields or {"_form": [err.message]}


def _context() -> dict:
    return {
        "rules": notice_rules,
        "now": clock.now(),
        "title_of": notice_title,
        "operations": OPERATIONS,
        "activities_of": activities_of,
        "time_left": notice_rules.time_left_text,
    }


@bp.get("/")
@roles_required(*READERS)
def index():
    actor, page = current_actor(), page_arg()
    result = services.notices.list_notices(
        actor=actor, now=clock.now(), page=page, per_page=PER_PAGE
    )
    rows = [(n, services.notices.visible_recipients(n, actor)) for n in result.items]
    return render_template(
        "subprocessors/notices.html",
        result=result,
        rows=rows,
        page=page,
        per_page=PER_PAGE,
        can_prepare=actor.has(DPO) and actor.is_processor_staff,
        **_context(),
    )


def _form(notice=None):
    actor = current_actor()
    form = {}
    if notice is not None:
        form = {k: getattr(notice, k) for k in ("kind", "subprocessor_id", "replaced_id",
                                                 "contract_start_on", "contract_end_on",
                                                 "scope", "details")}  # fmt: skip
        form["activities"] = activities_of(notice)
    errors = {}
    if request.method == "POST":
        form = request.form.to_dict()
        form["activities"] = request.form.getlist("activities")
        try:
            data = load(SubprocessorNoticeInput(), request.form)
            if notice is None:
                notice = services.notices.create_notice(data, actor=actor, now=clock.now())
            else:
                services.notices.update_notice(notice.id, data, actor=actor, now=clock.now())
        except DomainError as err:
            errors = _refusal(err)
        else:
            flash(N_("La notification a été enregistrée (brouillon)."), "success")
            return redirect(url_for("subprocessor_notices.detail", notice_id=notice.id))
    return render_template(
        "subprocessors/notice_form.html",
        form=form,
        errors=errors,
        notice=notice,
        subprocessor_options=[(s.id, s.legal_name) for s in services.catalogue.choices()],
        kinds=[(k, gettext(v)) for k, v in notice_rules.KINDS.items()],
        scopes=[(k, gettext(v)) for k, v in notice_rules.SCOPES.items()],
        **_context(),
    ), (400 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(DPO)
def new():
    services.notices.require_processor_dpo(current_actor())
    return _form()


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@roles_required(DPO)
def edit(notice_id: int):
    actor = current_actor()
    services.notices.require_processor_dpo(actor)
    return _form(services.notices.get_notice(notice_id, actor=actor))


@bp.get("/<int:notice_id>")
@roles_required(*READERS)
def detail(notice_id: int, errors=None, status=200):
    actor = current_actor()
    notice = services.notices.get_notice(notice_id, actor=actor)
    is_dpo = actor.has(DPO) and actor.is_processor_staff
    missing, affected = {}, []
    if notice.state == "draft" and is_dpo:
        affected = services.notices.affected_municipalities(notice)
        missing = services.notices.missing(notice, affected)
    return render_template(
        "subprocessors/notice_detail.html",
        notice=notice,
        recipients=services.notices.visible_recipients(notice, actor),
        is_dpo=is_dpo,
        missing=missing,
        affected=affected,
        errors=errors or {},
        **_context(),
    ), status


@bp.post("/<int:notice_id>/send")
@roles_required(DPO)
def send(notice_id: int):
    try:
        services.notices.send_notice(notice_id, actor=current_actor(), now=clock.now())
    except DomainError as err:
        errors = _refusal(err)
        return detail(notice_id, errors=errors, status=err.status)
    flash(N_("La notification a été envoyée aux collectivités concernées."), "success")
    return redirect(url_for("subprocessor_notices.detail", notice_id=notice_id))


@bp.get("/<int:notice_id>/recipients/<int:recipient_id>")
@roles_required(*READERS)
def recipient(notice_id: int, recipient_id: int, errors=None, status=200):
    actor = current_actor()
    item = services.answers.read_recipient(notice_id, recipient_id, actor=actor, now=clock.now())
    return render_template(
        "subprocessors/recipient.html",
        item=item,
        notice=item.notice,
        lines=notice_lines(item.notice, item.organisation),
        can_answer=actor.has(roles.CONTROLLER_DPO),
        is_dpo=actor.has(DPO) and actor.is_processor_staff,
        errors=errors or {},
        form=request.form,
        **_context(),
    ), status


def _act(notice_id: int, recipient_id: int, schema, call, done: str):
    try:
        data = load(schema, request.form)
        call(notice_id, recipient_id, actor=current_actor(), now=clock.now(), **data)
    except DomainError as err:
        errors = _refusal(err)
        return recipient(notice_id, recipient_id, errors=errors, status=err.status)
    flash(done, "success")
    return redirect(
        url_for("subprocessor_notices.recipient", notice_id=notice_id, recipient_id=recipient_id)
    )


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/object")
@roles_required(roles.CONTROLLER_DPO)
def object_to(notice_id: int, recipient_id: int):
    return _act(notice_id, recipient_id, ObjectionInput(), services.answers.object_to,
                N_("Votre objection a été enregistrée."))  # fmt: skip


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/approve")
@roles_required(roles.CONTROLLER_DPO)
def approve(notice_id: int, recipient_id: int):
    return _act(notice_id, recipient_id, ApprovalInput(), services.answers.approve,
                N_("Votre accord écrit a été enregistré."))  # fmt: skip


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/receipt")
@roles_required(DPO)
def receipt(notice_id: int, recipient_id: int):
    return _act(notice_id, recipient_id, ReceiptInput(), services.answers.record_receipt,
                N_("La date de réception a été enregistrée ; le délai est recalculé."))  # fmt: skip


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/outcome")
@roles_required(DPO)
def outcome(notice_id: int, recipient_id: int):
    return _act(notice_id, recipient_id, ObjectionOutcomeInput(), services.answers.record_outcome,
                N_("La suite donnée à l'objection a été enregistrée."))  # fmt: skip
