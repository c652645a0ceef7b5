from flask import Blueprint, redirect, render_template, request, url_for

from rgpd_app import clock
from rgpd_app.errors import DomainError
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.messages import N_
from rgpd_app.notifications import services
from rgpd_app.notifications.schemas import STATE_LABELS, states_from
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/")
@roles_required(roles.ADMIN)
def index():
    result = services.list_messages(
        actor=current_actor(), now=clock.now(), states=states_from(request.args), page=page_arg()
    )
    return render_template(
        "notifications/index.html",
        result=result,
        state=request.args.get("state", ""),
        state_labels=STATE_LABELS,
    )


@bp.post("/<int:message_id>/retry")
@roles_required(roles.ADMIN)
def retry(message_id: int):
    try:
        services.retry_failed(message_id, actor=current_actor(), now=clock.now())
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(N_("Le message sera renvoyé au prochain passage du worker."), "success")
    return redirect(url_for("notifications.index", state=request.args.get("state") or None))
