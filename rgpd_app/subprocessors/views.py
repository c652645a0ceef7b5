"""Catalogue pages (processor staff) and each municipality's list of sub-processors."""

from flask import Blueprint, redirect, render_template, request, url_for

from rgpd_app import clock
from rgpd_app.errors import DomainError, NotFound
from rgpd_app.exports import FORMATS, Column, export_response
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.register import countries
from rgpd_app.register.access import READERS as MUNICIPALITY_READERS
from rgpd_app.register.choices import OPERATIONS, SAFEGUARDS
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.catalogue import EDITOR, READERS, as_values
from rgpd_app.subprocessors.schemas import ChainInput, SubprocessorInput
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("subprocessors", __name__, url_prefix="/subprocessors")
PER_PAGE = 25
EXPORT_FORMATS = tuple(f for f in FORMATS if f != "json") + ("json",)


def _choices() -> dict:
    return {
        "countries": sorted(countries.names().items(), key=lambda pair: pair[1]),
        "activities": list(OPERATIONS.items()),
        "mechanisms": list(SAFEGUARDS.items()),
    }


@bp.get("/")
@roles_required(*READERS)
def index():
    actor, page = current_actor(), page_arg()
    q = request.args.get("q", "").strip()
    result = services.catalogue.list_subprocessors(
        actor=actor, now=clock.now(), q=q, page=page, per_page=PER_PAGE
    )
    return render_template(
        "subprocessors/index.html",
        result=result,
        page=page,
        per_page=PER_PAGE,
        q=q,
        can_edit=actor.has(EDITOR),
    )


def _form(sub=None):
    actor = current_actor()
    errors, form = {}, (as_values(sub) if sub is not None else {})
    if request.method == "POST":
        form = request.form.to_dict()
        for name in ("processing_countries", "activities"):
            form[name] = request.form.getlist(name)
        try:
            data = load(SubprocessorInput(), request.form)
            if sub is None:
                sub = services.catalogue.create_subprocessor(data, actor=actor, now=clock.now())
            else:
                services.catalogue.update_subprocessor(sub.id, data, actor=actor, now=clock.now())
        except DomainError as err:
            if err.status not in (400, 409):
                raise
            db.session.rollback()
            errors = err.fields or {"_form": [err.message]}
        else:
            flash(N_("La fiche du sous-traitant a été enregistrée."), "success")
            return redirect(url_for("subprocessors.detail", sub_id=sub.id))
    return render_template(
        "subprocessors/form.html", errors=errors, form=form, sub=sub, **_choices()
    ), (400 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(EDITOR)
def new():
    services.catalogue.require_editor(current_actor())
    return _form()


@bp.route("/<int:sub_id>/edit", methods=["GET", "POST"])
@roles_required(EDITOR)
def edit(sub_id: int):
    actor = current_actor()
    services.catalogue.require_editor(actor)
    return _form(services.catalogue.get_subprocessor(sub_id, actor=actor, now=clock.now()))


@bp.get("/<int:sub_id>")
@roles_required(*READERS)
def detail(sub_id: int, errors=None, status=200):
    actor = current_actor()
    sub = services.catalogue.get_subprocessor(sub_id, actor=actor, now=clock.now())
    return render_template(
        "subprocessors/detail.html",
        sub=sub,
        values=as_values(sub),
        chain=services.catalogue.chain_of(sub.id),
        others=[s for s in services.catalogue.choices() if s.id != sub.id],
        can_edit=actor.has(EDITOR),
        errors=errors or {},
        country_name=countries.name,
        operations=OPERATIONS,
        mechanisms=SAFEGUARDS,
    ), status


@bp.post("/<int:sub_id>/chain")
@roles_required(EDITOR)
def add_link(sub_id: int):
    actor = current_actor()
    try:
        data = load(ChainInput(), request.form)
        services.catalogue.add_chain_link(sub_id, data["child_id"], actor=actor, now=clock.now())
    except DomainError as err:
        if err.status not in (400, 409):
            raise
        db.session.rollback()
        return detail(sub_id, errors=err.fields or {"_form": [err.message]}, status=err.status)
    flash(N_("Le lien de la chaîne a été enregistré."), "success")
    return redirect(url_for("subprocessors.detail", sub_id=sub_id))


@bp.post("/<int:sub_id>/chain/<int:child_id>/delete")
@roles_required(EDITOR)
def remove_link(sub_id: int, child_id: int):
    services.catalogue.remove_chain_link(sub_id, child_id, actor=current_actor(), now=clock.now())
    flash(N_("Le lien de la chaîne a été retiré."), "success")
    return redirect(url_for("subprocessors.detail", sub_id=sub_id))


@bp.get("/mine")
@roles_required(roles.CONTROLLER_DPO, roles.INSTRUCTOR, roles.AUDITOR)  # the processor: index
def mine():
    actor = current_actor()
    ids = sorted(actor.auditor_controller_ids) if actor.has(roles.AUDITOR) else []
    org_id = ids[0] if ids else actor.organisation_id
    return redirect(url_for("subprocessors.municipality", org_id=org_id))


@bp.get("/municipalities/<int:org_id>")
@roles_required(*MUNICIPALITY_READERS)
def municipality(org_id: int):
    org, rows = services.municipality.municipality_subprocessors(
        org_id, actor=current_actor(), now=clock.now()
    )
    return render_template(
        "subprocessors/municipality.html", org=org, rows=rows, formats=EXPORT_FORMATS
    )


def _list(values) -> str:
    return ", ".join(values)


EXPORT_COLUMNS = [
    Column("level", "Niveau"),
    Column("subprocessor.legal_name", "Sous-traitant"),
    Column("relied_on_by", "Sous-traitant de"),
    Column("subprocessor.address", "Adresse"),
    Column("subprocessor.contact", "Contact"),
    Column("country", "Pays", get=lambda r: countries.name(r.subprocessor.country)),
    Column("countries_text", "Lieux de traitement"),
    Column("activities_text", "Activités"),
    Column(
        "outside", "Hors UE/EEE", get=lambda r: "oui" if r.subprocessor.is_outside_eea else "non"
    ),
    Column("mechanism_text", "Mécanisme de transfert"),
    Column("subprocessor.contract_start_on", "Début du contrat"),
    Column("subprocessor.contract_end_on", "Fin du contrat"),
    Column("subprocessor.dpa_reference", "Accord de traitement"),
    Column("subprocessor.dpa_valid_until_on", "Accord valable jusqu'au"),
    Column("processings", "Traitements", get=lambda r: _list(r.processings)),
    Column("authorisation_label", "Autorisation"),
]


@bp.get("/municipalities/<int:org_id>/export/<fmt>")
@roles_required(*MUNICIPALITY_READERS)
def export(org_id: int, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise NotFound()
    org, _rows = services.municipality.municipality_subprocessors(
        org_id, actor=current_actor(), now=clock.now(), fmt=fmt
    )
    return export_response(
        fmt,
        # Read again while the answer is written: the rows above belong to the view's session,
        # which is closed by then.
        rows=lambda: services.municipality.rows_for(db.session.get(Organisation, org.id)),
        columns=EXPORT_COLUMNS,
        filename=f"sous-traitants-{org.siren}",
        title=f"Sous-traitants ultérieurs — {org.name}",
    )
