"""Home and the per-role dashboard."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from rgpd_app import clock
from rgpd_app.accounts import rules
from rgpd_app.clocks.views import echeance_rows
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
    return render_template(
        "main/dashboard.html",
        actor=actor,
        labels=rules.ROLE_LABELS,
        urgent=echeance_rows(actor, clock.now(), limit=5),
    )
