"""Pages of one municipality's notice: its clock, the letter, and the municipality's
decision and CNIL notifications; both sides see it."""

import json

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from rgpd_app import clock
from rgpd_app.breaches import access, alerts, facts, rules, services
from rgpd_app.breaches.schemas import (
    AcknowledgementInput,
    BreachDecisionInput,
    CnilNotificationInput,
    LetterInput,
)
from rgpd_app.errors import DomainError
from rgpd_app.exports.response import content_disposition
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.messages import N_
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, roles_required

bp = Blueprint("breach_notices", __name__, url_prefix="/breaches/notices")

FORMS = {
    "acknowledgement": (AcknowledgementInput, services.record_acknowledgement),
    "letter": (LetterInput, services.record_letter),
    "decision": (BreachDecisionInput, services.record_decision),
    "cnil": (CnilNotificationInput, services.record_cnil_notification),
}
DONE = {
    "acknowledgement": N_(
        "La réception est enregistrée : le délai court depuis la première preuve."
    ),
    "letter": N_("Le courrier recommandé est enregistré."),
    "decision": N_("La décision est enregistrée."),
    "cnil": N_("La notification à la CNIL est enregistrée."),
}


def _page(notice, *, errors=None, form=None, status=200):
    actor, now = current_actor(), clock.now()
    return render_template(
        "breaches/notice.html",
        notice=notice,
        breach=notice.breach,
        facts=facts.described(facts.current(notice.breach)),
        delivery=services.delivery(notice),
        clock_line=alerts.authority_clock_line(notice),
        hours_left=rules.hours_left(notice.authority_deadline_at, now),
        now=now,
        rules=rules,
        is_recorder=access.is_recorder(actor),
        can_decide=actor.has(*access.DECIDERS),
        can_acknowledge=access.is_recorder(actor) or actor.has(roles.CONTROLLER_DPO),
        errors=errors or {},
        form=form or {},
    ), status


@bp.get("/<int:notice_id>")
@roles_required(*access.READERS)
def detail(notice_id: int):
    notice = services.get_notice(notice_id, actor=current_actor(), now=clock.now())
    return _page(notice)


@bp.post("/<int:notice_id>/confirm")
@roles_required(*access.RECORDERS)
def confirm(notice_id: int):
    actor = current_actor()
    try:
        services.confirm_notice(notice_id, actor=actor, now=clock.now())
    except DomainError as err:
        if err.status in (403, 404):
            raise
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(
            N_(
                "La notification est en file d'envoi. Le délai de la collectivité démarrera quand "
                "le serveur de messagerie l'aura acceptée."
            ),
            "success",
        )
    return redirect(url_for("breach_notices.detail", notice_id=notice_id))


@bp.post("/<int:notice_id>/<any(acknowledgement, letter, decision, cnil):step>")
@roles_required(*access.RECORDERS, *access.DECIDERS)
def record_step(notice_id: int, step: str):
    actor = current_actor()
    schema, service = FORMS[step]
    access.require_step(actor, step)
    try:
        data = load(schema(), request.form)
        service(notice_id, data, actor=actor, now=clock.now())
    except DomainError as err:
        if err.status in (403, 404):
            raise
        db.session.rollback()
        notice = services.get_notice(notice_id, actor=actor, now=clock.now())
        errors = {f"{step}.{k}": v for k, v in (err.fields or {"_form": [err.message]}).items()}
        return _page(notice, errors=errors, form={step: request.form}, status=400)
    flash(DONE[step], "success")
    return redirect(url_for("breach_notices.detail", notice_id=notice_id))


@bp.get("/<int:notice_id>/letter.pdf")
@roles_required(*access.RECORDERS)
def letter(notice_id: int):
    notice, body = services.letter_pdf(notice_id, actor=current_actor(), now=clock.now())
    name = f"courrier-{notice.breach.reference}-{notice.organisation_id}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
    )


@bp.get("/<int:notice_id>/cnil.<fmt>")
@roles_required(*access.READERS)
def cnil_form(notice_id: int, fmt: str):
    actor, now = current_actor(), clock.now()
    if fmt == "pdf":
        body, mimetype = services.cnil_form_pdf(notice_id, actor=actor, now=now), "application/pdf"
    elif fmt == "json":
        content = services.cnil_form(notice_id, actor=actor, now=now)
        body, mimetype = json.dumps(content, ensure_ascii=False, indent=2), "application/json"
    else:
        abort(404)
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": content_disposition(f"notification-cnil-{notice_id}.{fmt}"),
            "Cache-Control": "no-store",
        },
    )
