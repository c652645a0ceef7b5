from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from rgpd_app import clock
from rgpd_app.errors import DomainError
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.messages import N_
from rgpd_app.organisations import picking, services
from rgpd_app.organisations.models import PERIOD_DEFAULTS
from rgpd_app.organisations.schemas import OrganisationInput, OrganisationSchema
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("/")
@roles_required()
def index():
    actor = current_actor()
    q, kind, sort = (request.args.get(k, "").strip() for k in ("q", "kind", "sort"))
    page = page_arg()
    result = services.list_organisations(
        actor=actor, now=clock.now(), q=q, kind=kind, sort=sort or "name", page=page
    )
    return render_template(
        "organisations/index.html",
        items=result.items,
        total=result.total,
        page=page,
        per_page=25,
        q=q,
        kind=kind,
        sort=sort or "name",
        can_create=actor.has(roles.ADMIN),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(roles.ADMIN)
def new():
    errors, form = {}, dict(PERIOD_DEFAULTS)
    if request.method == "POST":
        form = request.form
        try:
            data = load(OrganisationInput(), request.form)
            org = services.create_organisation(data, actor=current_actor(), now=clock.now())
        except DomainError as err:
            db.session.rollback()
            errors = err.fields or {"_form": [err.message]}
        else:
            flash(N_("La collectivité a été créée."), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", errors=errors, form=form, org=None), (
        400 if errors else 200
    )


@bp.route("/<int:org_id>")
@roles_required()
def detail(org_id: int):
    actor = current_actor()
    org = services.get_organisation(org_id, actor=actor, now=clock.now())
    return render_template("organisations/detail.html", org=org, can_edit=actor.has(roles.ADMIN))


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(roles.ADMIN)
def edit(org_id: int):
    actor = current_actor()
    org = services.get_organisation(org_id, actor=actor, now=clock.now())
    errors, form = {}, OrganisationSchema().dump(org)
    if request.method == "POST":
        form = request.form
        try:
            data = load(OrganisationInput(), request.form)
            services.update_organisation(org.id, data, actor=actor, now=clock.now())
        except DomainError as err:
            db.session.rollback()
            errors = err.fields or {"_form": [err.message]}
        else:
            flash(N_("La fiche a été enregistrée."), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", errors=errors, form=form, org=org), (
        400 if errors else 200
    )


@bp.get("/suggest")
@roles_required()
def suggest():
    """The municipalities matching `q` that the signed-in person sees, for a search field's
    suggestions (JSON; the field itself works without it)."""
    found = picking.matches(request.args.get("q", ""), actor=current_actor())
    return jsonify([{"id": m.id, "label": m.label} for m in found])
