"""Pages of the processor's side: record a breach, its phases, its municipalities, and the
register (which every reader sees, scoped to its municipality)."""

from flask import Blueprint, abort, redirect, render_template, request, url_for

from deadlines import PARIS
from rgpd_app import clock
from rgpd_app.breaches import access, facts, rules, services
from rgpd_app.breaches.register import COLUMNS
from rgpd_app.breaches.schemas import (
    ActivitiesInput,
    BreachInput,
    BreachUpdateInput,
    MunicipalityInput,
)
from rgpd_app.errors import DomainError
from rgpd_app.exports import FORMATS, export_response
from rgpd_app.extensions import db
from rgpd_app.messages import N_, joined
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.register.models import ProcessingActivity
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("breaches", __name__, url_prefix="/breaches")

CHOICES = {
    "natures": rules.NATURES,
    "causes": rules.CAUSES,
}


def _errors(err: DomainError) -> dict:
    db.session.rollback()
    return err.fields or {"_form": [err.message]}


def _form_values(values: dict) -> dict:
    """Facts as the form shows them: instants in Paris with their offset, lists one a line."""
    shown = dict(values)
    for name in ("started_at", "ended_at", "aware_at"):
        if shown.get(name) is not None:
            shown[name] = shown[name].astimezone(PARIS).isoformat(timespec="minutes")
    for name in ("data_categories", "person_categories"):
        shown[name] = "\n".join(shown.get(name) or [])
    return shown


def _municipalities():
    return db.session.scalars(
        db.select(Organisation).where(Organisation.kind == CONTROLLER).order_by(Organisation.name)
    ).all()


def _activities():
    return db.session.scalars(
        db.select(ProcessingActivity)
        .where(ProcessingActivity.archived_at.is_(None))
        .order_by(ProcessingActivity.name)
    ).all()


@bp.get("/")
@roles_required(*access.READERS)
def index():
    actor, page = current_actor(), page_arg()
    if access.is_recorder(actor):
        result = services.list_breaches(actor=actor, now=clock.now(), page=page)
        return render_template("breaches/index.html", breaches=result, notices=None, page=page)
    result = services.list_notices(actor=actor, now=clock.now(), page=page)
    return render_template(
        "breaches/index.html", breaches=None, notices=result, page=page, now=clock.now()
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*access.RECORDERS)
def new():
    actor = current_actor()
    access.require_recorder(actor)
    errors, form = {}, {"natures": [], "organisation_ids": [], "activity_ids": []}
    if request.method == "POST":
        form = request.form.to_dict()
        for name in ("natures", "organisation_ids", "activity_ids"):
            form[name] = request.form.getlist(name)
        try:
            data = load(BreachInput(), request.form)
            breach = services.record_breach(data, actor=actor, now=clock.now())
        except DomainError as err:
            errors = _errors(err)
        else:
            flash(
                N_(
                    "La violation est enregistrée ; l'équipe sécurité est alertée. Confirmez "
                    "maintenant la notification de chaque collectivité."
                ),
                "success",
            )
            return redirect(url_for("breaches.detail", breach_id=breach.id))
    return render_template(
        "breaches/new.html",
        form=form,
        errors=errors,
        choices=CHOICES,
        municipalities=_municipalities(),
        activities=_activities(),
    ), (400 if errors else 200)


@bp.get("/<int:breach_id>")
@roles_required(*access.RECORDERS)
def detail(breach_id: int):
    actor = current_actor()
    breach = services.get_breach(breach_id, actor=actor, now=clock.now())
    linked = services.linked_activities(breach)
    suggested = services.suggested_organisation_ids([a.id for a in linked])
    present = {n.organisation_id for n in breach.notices}
    return render_template(
        "breaches/detail.html",
        breach=breach,
        facts=facts.described(facts.current(breach)),
        linked=linked,
        activities=_activities(),
        suggested=[o for o in _municipalities() if o.id in suggested and o.id not in present],
        municipalities=[o for o in _municipalities() if o.id not in present],
        now=clock.now(),
        hours_left=rules.hours_left,
        errors={},
    )


@bp.route("/<int:breach_id>/update", methods=["GET", "POST"])
@roles_required(*access.RECORDERS)
def update(breach_id: int):
    actor = current_actor()
    breach = access.get_breach(breach_id, actor)
    errors, form = {}, _form_values(facts.current(breach))
    if request.method == "POST":
        form = request.form.to_dict()
        form["natures"] = request.form.getlist("natures")
        try:
            data = load(BreachUpdateInput(), request.form)
            # The page sends every fact: one left empty is cleared, not kept.
            for name in rules.FACT_FIELDS:
                data.setdefault(name, rules.EMPTY_FACTS[name])
            services.update_breach(breach.id, data, actor=actor, now=clock.now())
        except DomainError as err:
            errors = _errors(err)
        else:
            flash(
                N_("La mise à jour est enregistrée et envoyée aux collectivités informées."),
                "success",
            )
            return redirect(url_for("breaches.detail", breach_id=breach.id))
    return render_template(
        "breaches/update.html", breach=breach, form=form, errors=errors, choices=CHOICES
    ), (400 if errors else 200)


@bp.post("/<int:breach_id>/municipalities")
@roles_required(*access.RECORDERS)
def municipality(breach_id: int):
    actor = current_actor()
    try:
        if request.form.get("remove"):
            org_id = request.form.get("organisation_id", "")
            services.remove_municipality(
                breach_id, int(org_id) if org_id.isdigit() else 0, actor=actor, now=clock.now()
            )
        else:
            data = load(MunicipalityInput(), request.form)
            services.set_municipality(breach_id, data, actor=actor, now=clock.now())
    except DomainError as err:
        if err.status in (403, 404):
            raise
        flash(joined(" ", (m for ms in _errors(err).values() for m in ms)), "error")
    else:
        flash(N_("Les collectivités concernées sont à jour."), "success")
    return redirect(url_for("breaches.detail", breach_id=breach_id))


@bp.post("/<int:breach_id>/activities")
@roles_required(*access.RECORDERS)
def activities(breach_id: int):
    actor = current_actor()
    try:
        data = load(ActivitiesInput(), request.form)
        services.link_activities(breach_id, data, actor=actor, now=clock.now())
    except DomainError as err:
        if err.status in (403, 404):
            raise
        flash(joined(" ", (m for ms in _errors(err).values() for m in ms)), "error")
    else:
        flash(
            N_("Traitements concernés enregistrés : vérifiez les collectivités suggérées."),
            "success",
        )
    return redirect(url_for("breaches.detail", breach_id=breach_id))


@bp.get("/register")
@roles_required(*access.READERS)
def register():
    actor = current_actor()
    page = page_arg()
    result = services.register_page(actor=actor, now=clock.now(), page=page)
    return render_template(
        "breaches/register.html", result=result, columns=COLUMNS, page=page, formats=FORMATS
    )


@bp.get("/register.<fmt>")
@roles_required(*access.READERS)
def register_export(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    actor, now = current_actor(), clock.now()
    rows = services.register_rows(actor=actor)
    return export_response(
        fmt,
        rows=rows,
        columns=COLUMNS,
        filename="registre-des-violations",
        title="Registre des violations de données (art. 33(5) du RGPD)",
        on_done=lambda count: services.journal_export(fmt, count, actor=actor, now=now),
    )
