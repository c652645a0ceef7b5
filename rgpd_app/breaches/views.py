"""Pages of the processor's side: record a breach, its phases, its municipalities, and the
register (which every reader sees, scoped to its municipality)."""

from flask import Blueprint, abort, redirect, render_template, request, url_for

from deadlines import PARIS
from rgpd_app import clock
from rgpd_app.breaches import access, facts, recording, rules, services
from rgpd_app.breaches.register import COLUMNS
from rgpd_app.breaches.schemas import (
    BreachActivitiesInput,
    BreachInput,
    BreachMunicipalityInput,
    BreachUpdateInput,
)
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.exports import FORMATS, export_response
from rgpd_app.extensions import db
from rgpd_app.messages import N_, joined
from rgpd_app.organisations import picking as org_picking
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import sort_key
from rgpd_app.register import picking as register_picking
from rgpd_app.validation import id_value, load
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


# The typed fields (a name or SIREN a line; a processing's name a line) and the ids the
# schemas check: errors on the ids are shown on the field the person typed in.
TYPED = {"organisation_ids": "organisations", "activity_ids": "activities"}


def _typed_errors(errors: dict) -> dict:
    return {TYPED.get(k, k): v for k, v in errors.items()}


def _with_typed_choices(form, actor, *, organisations: bool = True):
    """The form with its typed municipalities and processings turned into the ids the schema
    checks (kept beside ids sent as such, by the API's clients or older pages); every line
    that designates nothing, or several, named at once."""
    values, problems, org_ids = form.copy(), {}, []
    if organisations:
        try:
            org_ids = [
                m.id
                for m in org_picking.resolve_many(
                    form.get("organisations", ""), actor=actor, field="organisations"
                )
            ]
        except ValidationFailed as err:
            problems |= err.fields
        if form.get("all_organisations") == "1":
            org_ids += org_picking.controller_ids(actor=actor, everyone=True)
        values.setlist("organisation_ids", [*form.getlist("organisation_ids"), *map(str, org_ids)])
    try:
        activity_ids = register_picking.activity_ids_named(
            form.get("activities", ""), actor=actor, field="activities", controller_ids=org_ids
        )
    except ValidationFailed as err:
        problems |= err.fields
        activity_ids = []
    values.setlist("activity_ids", [*form.getlist("activity_ids"), *map(str, activity_ids)])
    return values, problems


@bp.get("/")
@roles_required(*access.READERS)
def index():
    actor, page = current_actor(), page_arg()
    if access.is_recorder(actor):
        q = request.args.get("q", "").strip()
        sort = sort_key(request.args.get("sort", ""), recording.SORTS, recording.DEFAULT_SORT)
        result = services.list_breaches(actor=actor, now=clock.now(), q=q, sort=sort, page=page)
        return render_template(
            "breaches/index.html", breaches=result, notices=None, page=page, q=q, sort=sort
        )
    result = services.list_notices(actor=actor, now=clock.now(), page=page)
    return render_template(
        "breaches/index.html", breaches=None, notices=result, page=page, now=clock.now()
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*access.RECORDERS)
def new():
    actor = current_actor()
    access.require_recorder(actor)
    errors, form = {}, {"natures": []}
    if request.method == "POST":
        form = request.form.to_dict()
        form["natures"] = request.form.getlist("natures")
        values, problems = _with_typed_choices(request.form, actor)
        try:
            data = load(BreachInput(), values)
            if problems:
                raise ValidationFailed(problems)
            breach = services.record_breach(data, actor=actor, now=clock.now())
        except DomainError as err:
            errors = _typed_errors(problems | (err.fields or {"_form": [err.message]}))
            db.session.rollback()
        else:
            flash(
                N_(
                    "La violation est enregistrée ; l'équipe sécurité est alertée. Confirmez "
                    "maintenant la notification de chaque collectivité."
                ),
                "success",
            )
            return redirect(url_for("breaches.detail", breach_id=breach.id))
    return render_template("breaches/new.html", form=form, errors=errors, choices=CHOICES), (
        400 if errors else 200
    )


@bp.get("/<int:breach_id>")
@roles_required(*access.RECORDERS)
def detail(breach_id: int):
    actor = current_actor()
    breach = services.get_breach(breach_id, actor=actor, now=clock.now())
    linked = services.linked_activities(breach)
    suggested = services.suggested_organisation_ids([a.id for a in linked])
    present = {n.organisation_id for n in breach.notices}
    suggested = db.session.scalars(
        db.select(Organisation)
        .where(Organisation.id.in_(set(suggested) - present))
        .order_by(Organisation.name, Organisation.id)
    ).all()
    return render_template(
        "breaches/detail.html",
        breach=breach,
        facts=facts.described(facts.current(breach)),
        linked=linked,
        suggested=suggested,
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
                breach_id, id_value(org_id) or 0, actor=actor, now=clock.now()
            )
        else:
            values = request.form.copy()
            if request.form.get("organisation"):  # typed: a name or SIREN
                match = org_picking.resolve(
                    request.form["organisation"], actor=actor, field="organisation"
                )
                values["organisation_id"] = str(match.id)
            data = load(BreachMunicipalityInput(), values)
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
        values, problems = _with_typed_choices(request.form, actor, organisations=False)
        if problems:
            raise ValidationFailed(problems)
        data = load(BreachActivitiesInput(), values)
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
