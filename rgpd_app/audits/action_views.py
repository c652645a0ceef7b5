"""Audit steps as POST forms: each calls its service, then flashes and goes back to the page."""

from flask import Blueprint, redirect, request, url_for

from rgpd_app import clock
from rgpd_app.audits import portal, rules, services
from rgpd_app.audits.schemas import (
    ChoiceInput,
    MeasureInput,
    MeasureStatusInput,
    RefusalInput,
    TextInput,
    TimeEntryInput,
    VersionInput,
)
from rgpd_app.audits.views import detail, received_file
from rgpd_app.errors import Conflict, DomainError, Forbidden, NotFound
from rgpd_app.extensions import db
from rgpd_app.messages import N_
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, roles_required

bp = Blueprint("audit_actions", __name__, url_prefix="/audits")


def _done(audit_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("audits.detail", audit_id=audit_id))


def _refused(audit_id: int, err: DomainError):
    if isinstance(err, NotFound | Forbidden | Conflict):
        raise err  # 404 for a foreign municipality, 403 for a refused role, 409 when stale
    db.session.rollback()
    texts = [m for messages in err.fields.values() for m in messages] or [err.message]
    for text in dict.fromkeys(texts):
        flash(text, "error")
    return redirect(url_for("audits.detail", audit_id=audit_id)), 303


def _version() -> int | None:
    return load(VersionInput(), request.form)["version"]


@bp.post("/<int:audit_id>/accept")
@roles_required(*rules.DECIDERS)
def accept(audit_id: int):
    try:
        decision = services.decisions.accept(
            audit_id, actor=current_actor(), now=clock.now(), version=_version()
        )
    except DomainError as err:
        return _refused(audit_id, err)
    if decision.accounts:
        # Shown once, in this answer only: never put in the (signed, not encrypted) session.
        return detail(audit_id, accounts=decision.accounts)
    return _done(audit_id, N_("L'audit est accepté."))


_SIMPLE = {
    "cancel": (lambda: services.decisions.cancel, rules.REQUESTERS, N_("La demande est annulée.")),
    "start": (lambda: services.progress.start, rules.PLAN_KEEPERS, N_("L'audit a commencé.")),
    "corrective-plan": (
        lambda: services.progress.require_corrective_plan,
        rules.PLAN_KEEPERS,
        N_("Le plan de mesures correctives est ouvert."),
    ),
    "close": (lambda: services.progress.close, rules.PLAN_KEEPERS, N_("L'audit est clos.")),
}


@bp.post("/<int:audit_id>/step/<name>")
@roles_required(*rules.READERS)
def step(audit_id: int, name: str):
    if name not in _SIMPLE:
        return redirect(url_for("audits.detail", audit_id=audit_id)), 303
    function, _, message = _SIMPLE[name]
    try:
        function()(audit_id, actor=current_actor(), now=clock.now(), version=_version())
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, message)


@bp.post("/<int:audit_id>/refuse")
@roles_required(*rules.DECIDERS)
def refuse(audit_id: int):
    try:
        data = load(RefusalInput(), request.form)
        version = data.pop("version")
        services.decisions.refuse(
            audit_id, data, actor=current_actor(), now=clock.now(), version=version
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("L'auditeur est refusé ; la collectivité est informée."))


@bp.post("/<int:audit_id>/agreement")
@roles_required(*rules.DECIDERS)
def agreement(audit_id: int):
    try:
        data = load(ChoiceInput(), request.form)
        services.decisions.decide_agreement(
            audit_id,
            data["accept"],
            actor=current_actor(),
            now=clock.now(),
            version=data["version"],
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("La décision sur l'audit supplémentaire est enregistrée."))


@bp.post("/<int:audit_id>/firm")
@roles_required(*rules.REQUESTERS)
def firm(audit_id: int):
    try:
        data = load(ChoiceInput(), request.form)
        services.decisions.decide_firm(
            audit_id,
            data["accept"],
            actor=current_actor(),
            now=clock.now(),
            version=data["version"],
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("Votre réponse sur le cabinet proposé est enregistrée."))


@bp.post("/<int:audit_id>/report")
@roles_required(*rules.REPORT_SENDERS)
def report(audit_id: int):
    try:
        services.progress.upload_report(
            audit_id,
            received_file("file"),
            actor=current_actor(),
            now=clock.now(),
            version=_version(),
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("Le rapport est enregistré."))


@bp.post("/<int:audit_id>/observations")
@roles_required(*rules.DECIDERS)
def observations(audit_id: int):
    try:
        data = load(TextInput(), request.form)
        item = services.progress.send_observations(
            audit_id,
            data["text"],
            received_file("file"),
            actor=current_actor(),
            now=clock.now(),
            version=data["version"],
        )
    except DomainError as err:
        return _refused(audit_id, err)
    if item.is_observations_late:
        flash(
            N_("Observations envoyées APRÈS le délai : elles sont signalées comme tardives."),
            "warning",
        )
    return _done(audit_id, N_("Les observations sont envoyées."))


@bp.post("/<int:audit_id>/contest")
@roles_required(*rules.PLAN_KEEPERS)
def contest(audit_id: int):
    try:
        data = load(TextInput(), request.form)
        services.progress.contest(
            audit_id, data["text"], actor=current_actor(), now=clock.now(), version=data["version"]
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("Le rapport est contesté."))


@bp.post("/<int:audit_id>/measures")
@roles_required(*rules.PLAN_KEEPERS)
def add_measure(audit_id: int):
    try:
        data = load(MeasureInput(), request.form)
        services.measures.add_measure(audit_id, data, actor=current_actor(), now=clock.now())
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("La mesure corrective est ajoutée."))


@bp.post("/<int:audit_id>/measures/<int:measure_id>")
@roles_required(*rules.PLAN_KEEPERS)
def measure_status(audit_id: int, measure_id: int):
    try:
        data = load(MeasureStatusInput(), request.form)
        services.measures.set_measure_status(
            audit_id, measure_id, data["status"], actor=current_actor(), now=clock.now()
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("Le statut de la mesure est enregistré."))


@bp.post("/<int:audit_id>/time")
@roles_required(*rules.TIME_LOGGERS)
def log_time(audit_id: int):
    try:
        data = load(TimeEntryInput(), request.form)
        services.timelog.log_time(audit_id, data, actor=current_actor(), now=clock.now())
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("Le temps passé est enregistré."))


@bp.post("/<int:audit_id>/documents")
@roles_required(*rules.REPORT_SENDERS)
def add_document(audit_id: int):
    try:
        services.progress.add_document(
            audit_id, received_file("file"), actor=current_actor(), now=clock.now()
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("Le document est ajouté."))


@bp.post("/<int:audit_id>/auditors/<int:auditor_id>/password")
@roles_required(*rules.DECIDERS)
def auditor_password(audit_id: int, auditor_id: int):
    email, password = services.decisions.new_auditor_password(
        audit_id, auditor_id, actor=current_actor(), now=clock.now()
    )
    return detail(audit_id, accounts=[(email, password)])


# -- the auditor's portal: packs shared with the audit's auditors --------------------------------


@bp.post("/<int:audit_id>/packs")
@roles_required(*portal.SHARERS)
def share_pack(audit_id: int):
    try:
        portal.share_pack(
            audit_id, request.form.get("pack", ""), actor=current_actor(), now=clock.now()
        )
    except DomainError as err:
        return _refused(audit_id, err)
    return _done(audit_id, N_("Le paquet de preuves est partagé avec les auditeurs de cet audit."))


@bp.post("/<int:audit_id>/packs/<int:share_id>/withdraw")
@roles_required(*portal.SHARERS)
def withdraw_pack(audit_id: int, share_id: int):
    portal.withdraw_share(audit_id, share_id, actor=current_actor(), now=clock.now())
    return _done(audit_id, N_("Le paquet n'est plus partagé."))
