"""The register's pages: list, detail, edit forms, statuses, tasks, history, copy-to-many."""

import re
from dataclasses import replace
from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from rgpd_app import clock
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.exports import FORMATS
from rgpd_app.extensions import db
from rgpd_app.fragments import fragment
from rgpd_app.messages import N_
from rgpd_app.organisations import picking
from rgpd_app.paging import Page, sort_key
from rgpd_app.register import copy_jobs, copying, countries, forms, history, listing, services
from rgpd_app.register.access import EDITORS, KEEPER, READERS, can_edit_processor_side
from rgpd_app.register.choices import (
    LEGAL_BASES,
    MEASURE_FAMILIES,
    OPERATIONS,
    RETENTION_UNITS,
    SAFEGUARDS,
    STATUSES,
    TASK_KINDS,
    VALIDATED,
    VERSION_ACTIONS,
)
from rgpd_app.register.entries import snapshot
from rgpd_app.register.rules import FIELD_LABELS, TRANSFER_STATUSES, retention_text
from rgpd_app.register.schemas import filters_from, version_row
from rgpd_app.validation import id_value
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("register", __name__, url_prefix="/register")

LABELS = {
    "statuses": STATUSES,
    "operations": OPERATIONS,
    "families": MEASURE_FAMILIES,
    "legal_bases": LEGAL_BASES,
    "safeguards": SAFEGUARDS,
    "units": RETENTION_UNITS,
    "transfer_statuses": TRANSFER_STATUSES,
    "task_kinds": TASK_KINDS,
    "actions": VERSION_ACTIONS,
    "fields": FIELD_LABELS,
}
_TRANSLATED: dict[str, dict] = {}


def _retention_text(category: dict) -> str:
    return retention_text(category, units=labels()["units"])


def labels() -> dict:
    """LABELS in the page's language (one dict per language, built once per process)."""
    locale = str(get_locale())
    found = _TRANSLATED.get(locale)
    if found is None:
        found = _TRANSLATED[locale] = {
            group: {code: gettext(text) for code, text in choices.items()}
            for group, choices in LABELS.items()
        }
    return found


def _day_arg(name: str) -> date | None:
    value = request.args.get(name, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise ValidationFailed({name: [N_("Date invalide (format AAAA-MM-JJ).")]}) from err


def _controller_filter(filters: listing.Filters, actor):
    """The municipality typed in the list's search field (processor staff, who see them all),
    as the filter's id; its text for the field; the candidates when it matches several."""
    text = request.args.get("controller", "").strip()
    if not text:
        return filters, picking.label_of(filters.controller_id, actor=actor), None
    try:
        match = picking.resolve(text, actor=actor, field="controller")
    except ValidationFailed as err:
        return None, text, err
    return replace(filters, controller_id=match.id), match.label, None


@bp.get("/")
@roles_required(*READERS)
def index():
    actor, now, page = current_actor(), clock.now(), page_arg()
    filters, controller_text, problem = filters_from(request.args), "", None
    if actor.is_processor_staff:
        filters, controller_text, problem = _controller_filter(filters, actor)
    sort = sort_key(request.args.get("sort", ""), listing.SORTS, listing.DEFAULT_SORT)
    on = _day_arg("on")
    if problem is not None:
        result = Page([], 0, 1, 25)  # nothing is listed until the municipality is clear
    elif on is not None:
        result = history.register_as_of(
            on, actor=actor, now=now, controller_id=filters.controller_id, page=page
        )
    else:
        result = listing.list_activities(
            filters, actor=actor, now=now, page=page, sort=sort, count_cap=listing.PAGE_COUNT_CAP
        )
    return render_template(
        "register/index.html",
        result=result,
        sort=sort,
        on=on,
        labels=labels(),
        # A municipality not understood: the filters as typed, shown again.
        list_top=_list_top(
            filters or filters_from(request.args), controller_text, on, actor, problem
        ),
    ), (400 if problem else 200)


def _list_top(filters, controller_text, on, actor, problem):
    """The list's links, export menu and filters: the same for every reader with the same
    filters and rights, kept rendered (0.3 ms of the page's 1 ms of rendering, bench/web.py);
    a municipality that was not understood is answered afresh, with its candidates."""
    can_create, can_pick = actor.has(*EDITORS), actor.is_processor_staff

    def context():
        return {
            "filters": filters, "controller_text": controller_text, "on": on,
            "can_create": can_create, "can_pick_controller": can_pick, "labels": labels(),
            "export_formats": FORMATS, "errors": problem.fields if problem else {},
            "candidates": getattr(problem, "candidates", []),
        }  # fmt: skip

    key = (tuple(sorted(filters.as_dict().items())), controller_text, on, can_create, can_pick)
    return fragment(None if problem else key, "register/_list_top.html", context)


def _form_page(raw, errors, *, activity=None, status=200, candidates=()):
    actor = current_actor()
    extra = {k: int(v) for k, v in request.form.items() if k.startswith("extra.") if v.isdigit()}
    extra = {k.removeprefix("extra."): v for k, v in extra.items()}
    added = request.form.get("add")
    if added in forms.ROW_FIELDS:
        extra[added] = extra.get(added, 1) + 1
    return render_template(
        "register/form.html",
        form=forms.with_blank_rows(raw, extra),
        extra=extra,
        errors=errors,
        activity=activity,
        entry=snapshot(activity) if activity is not None else None,
        processor_side=can_edit_processor_side(actor),
        controller_side=True,
        # Processor staff type the municipality (1,500 of them); the others choose among theirs.
        can_pick_controller=actor.is_processor_staff,
        controllers=[] if actor.is_processor_staff else listing.controller_choices(actor=actor),
        controller_text=raw["fields"].get("controller")
        or picking.label_of(id_value(raw["fields"].get("controller_id")), actor=actor),
        candidates=candidates,
        subprocessors=listing.subprocessor_choices(),
        countries=countries.choices_outside_eea(),
        labels=labels(),
    ), status


def _save(raw, activity=None):
    actor = current_actor()
    data = forms.payload(
        raw,
        controller_side=True,
        processor_side=can_edit_processor_side(actor),
        new=activity is None,
    )
    data = services.validated(
        data,
        actor=actor,
        activity_id=activity.id if activity is not None else None,
        now=clock.now(),
    )
    if activity is None:
        return services.create_activity(data, actor=actor, now=clock.now())
    return services.update_activity(activity.id, data, actor=actor, now=clock.now())


def _post(activity=None):
    raw = forms.form_from_request(request.form)
    fields = raw["fields"]
    if activity is None and "controller" in request.form:
        fields["controller"] = request.form["controller"].strip()
        try:
            match = picking.resolve(fields["controller"], actor=current_actor(), field="controller")
        except ValidationFailed as err:
            candidates = getattr(err, "candidates", ())
            return _form_page(raw, err.fields, activity=activity, status=400, candidates=candidates)
        fields["controller_id"] = str(match.id) if match else ""
    if request.form.get("add"):
        return _form_page(raw, {}, activity=activity)
    was_validated = activity is not None and activity.status == VALIDATED
    try:
        saved = _save(raw, activity)
    except DomainError as err:
        if err.status in (403, 404):
            raise
        db.session.rollback()
        errors = picking.on_typed_field(
            err.fields or {"_form": [err.message]}, fields, "controller", "controller_id"
        )
        return _form_page(raw, errors, activity=activity, status=err.status)
    flash(N_("Le traitement a été enregistré."), "success")
    if was_validated and saved.status != VALIDATED:
        flash(
            N_(
                "Son contenu a changé : il repasse en brouillon et doit être validé de nouveau "
                "par le DPO du sous-traitant."
            ),
            "warning",
        )
    return redirect(url_for("register.detail", activity_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new():
    if request.method == "POST":
        return _post()
    raw = forms.form_from_entry({})
    raw["fields"]["controller_id"] = request.args.get("controller_id", "")
    return _form_page(raw, {})


@bp.get("/<int:activity_id>")
@roles_required(*READERS)
def detail(activity_id: int):
    actor = current_actor()
    described = services.get_activity(activity_id, actor=actor, now=clock.now())
    return render_template(
        "register/detail.html",
        d=described,
        e=described.entry,
        can_edit=actor.has(*EDITORS) and described.activity.status != "archived",
        is_keeper=actor.has(KEEPER),
        labels=labels(),
        retention_text=_retention_text,
    )


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(activity_id: int):
    actor = current_actor()
    activity = services.get_activity(activity_id, actor=actor, now=clock.now()).activity
    if request.method == "POST":
        return _post(activity)
    return _form_page(forms.form_from_entry(snapshot(activity)), {}, activity=activity)


@bp.post("/<int:activity_id>/status")
@roles_required(KEEPER)
def status(activity_id: int):
    version = request.form.get("version", "")
    try:
        services.change_status(
            activity_id,
            request.form.get("status", ""),
            actor=current_actor(),
            now=clock.now(),
            version=id_value(version),
        )
    except DomainError as err:
        if err.status not in (400, 409):
            raise
        db.session.rollback()
        for message in err.fields.get("_schema") or [err.message]:
            flash(message, "error")
    else:
        flash(N_("Le statut a été changé."), "success")
    return redirect(url_for("register.detail", activity_id=activity_id))


@bp.post("/tasks/<int:task_id>/done")
@roles_required(KEEPER)
def task_done(task_id: int):
    task = services.complete_task(task_id, actor=current_actor(), now=clock.now())
    flash(N_("La tâche est faite."), "success")
    return redirect(url_for("register.detail", activity_id=task.activity_id))


@bp.get("/<int:activity_id>/history")
@roles_required(*READERS)
def versions(activity_id: int):
    actor, now = current_actor(), clock.now()
    on = _day_arg("on")
    activity, result = history.list_history(activity_id, actor=actor, now=now, page=page_arg())
    past = history.as_of(activity_id, on, actor=actor, now=now) if on else None
    return render_template(
        "register/history.html",
        activity=activity,
        result=result,
        rows=[version_row(v) | {"at": v.changed_at} for v in result.items],
        on=on,
        past=past,
        labels=labels(),
        retention_text=_retention_text,
    )


DEPARTEMENT = re.compile(r"^(\d{2,3}|2[AB])$")


def _copy_targets(form, source, actor) -> list[int]:
    """The municipalities a copy goes to: typed one per line, whole départements, or all of
    them (the source's own excluded); every unclear line is named at once."""
    departements = tuple(
        d.strip().upper() for d in re.split(r"[,; ]+", form.get("departements", "")) if d.strip()
    )
    wrong = [d for d in departements if not DEPARTEMENT.match(d)]
    if wrong:
        raise ValidationFailed(
            {"departements": [N_("Département inconnu : %(code)s.", code=d) for d in wrong]}
        )
    ids = [i for i in map(id_value, form.getlist("controller_ids")) if i is not None]
    ids += [
        m.id
        for m in picking.resolve_many(form.get("controllers", ""), actor=actor, field="controllers")
    ]
    ids += picking.controller_ids(
        actor=actor, departements=departements, everyone=form.get("all") == "1"
    )
    ids = [i for i in dict.fromkeys(ids) if i != source.controller_id]
    if not ids:
        raise ValidationFailed({"controllers": [N_("Choisissez au moins une autre collectivité.")]})
    return ids


@bp.route("/<int:activity_id>/copy", methods=["GET", "POST"])
@roles_required(KEEPER)
def copy(activity_id: int):
    actor = current_actor()
    source = services.get_activity(activity_id, actor=actor, now=clock.now()).activity
    errors = {}
    if request.method == "POST":
        try:
            targets = _copy_targets(request.form, source, actor)
            if copy_jobs.needs_worker(len(targets)):
                job = copy_jobs.request_copy(source.id, targets, actor=actor, now=clock.now())
                return redirect(url_for("exports.show", public_id=job.public_id))
            made = copying.copy_to_many(source.id, targets, actor=actor, now=clock.now())
        except DomainError as err:
            if err.status in (403, 404):
                raise
            db.session.rollback()
            errors = err.fields or {"_form": [err.message]}
        else:
            flash(N_("%(n)s copie(s) créée(s), chacune en brouillon.", n=len(made)), "success")
            return redirect(url_for("register.index", q=source.name))
    return render_template("register/copy.html", source=source, form=request.form, errors=errors), (
        400 if errors else 200
    )
