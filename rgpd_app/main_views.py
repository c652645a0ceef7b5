"""Home and the per-role dashboard."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from rgpd_app import clock
from rgpd_app.dashboard import todo_for
from rgpd_app.foundation import roles
from rgpd_app.foundation.tenancy import get_visible
from rgpd_app.organisations.models import Organisation
from rgpd_app.web import current_actor, roles_required

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("accounts.login"))


@bp.route("/dashboard")
@roles_required()
def dashboard():
    actor = current_actor()
    raw_id = request.args.get("organisation_id", "")
    organisation = None
    if raw_id.isdigit() and len(raw_id) < 12:
        organisation = get_visible(Organisation, int(raw_id), actor, column=Organisation.id)
    organisation_q = request.args.get("organisation_q", "")[:100]
    domains = todo_for(
        actor,
        now=clock.now(),
        organisation_id=organisation.id if organisation else None,
        organisation_q=organisation_q,
    )
    return render_template(
        "main/dashboard.html",
        actor=actor,
        labels=roles.ROLE_LABELS,
        domains=domains,
        organisation=organisation,
        organisation_q=organisation_q,
        many_municipalities=actor.is_processor_staff or actor.has(roles.AUDITOR),
    )
