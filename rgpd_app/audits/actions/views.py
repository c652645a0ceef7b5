"""Audit steps as POST forms: each calls its service, then flashes and goes back to the page.

The forms that differ only by the service they call are rows of one table (`ACTIONS`, and
`STEPS` under /step/<name>): who may send it (a refused role gets 403 before the form is read),
the form's Input schema, the service call and the message flashed. Each row is registered as
its own endpoint, named after its key, so templates link to it with url_for as before.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, roles_required

bp = Blueprint("audit_actions", __name__, url_prefix="/audits")


@dataclass(frozen=True)
class Action:
    """One POST form of the audit page.

    `call(audit_id, data, actor=, now=, **url_values)` runs the service with the form's loaded
    `data` (empty without a schema); `warning(result)`, when given, may add a flashed warning."""

    rule: str  # after /audits/<int:audit_id>
    roles: tuple[str, ...]
    schema: type | None
    call: Callable[..., Any]
    message: str
    warning: Callable[[Any], str | None] | None = None


def _without_version(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "version"}


def _late_observations(item) -> str | None:
    if item.is_observations_late:
        return N_("Observations envoyées APRÈS le délai : elles sont signalées comme tardives.")
    return None


ACTIONS: dict[str, Action] = {
    "refuse": Action(
        "/refuse",
        rules.DECIDERS,
        RefusalInput,
        lambda audit_id, data, **kw: services.decisions.refuse(
            audit_id, _without_version(data), version=data["version"], **kw
        ),
        N_("L'auditeur est refusé ; la collectivité est informée."),
    ),
    "agreement": Action(
        "/agreement",
        rules.DECIDERS,
        ChoiceInput,
        lambda audit_id, data, **kw: services.decisions.decide_agreement(
            audit_id, data["accept"], version=data["version"], **kw
        ),
        N_("La décision sur l'audit supplémentaire est enregistrée."),
    ),
    "firm": Action(
        "/firm",
        rules.REQUESTERS,
        ChoiceInput,
        lambda audit_id, data, **kw: services.decisions.decide_firm(
            audit_id, data["accept"], version=data["version"], **kw
        ),
        N_("Votre réponse sur le cabinet proposé est enregistrée."),
    ),
    "report": Action(
        "/report",
        rules.REPORT_SENDERS,
        VersionInput,
        lambda audit_id, data, **kw: services.progress.upload_report(
            audit_id, received_file("file"), version=data["version"], **kw
        ),
        N_("Le rapport est enregistré."),
    ),
    "observations": Action(
        "/observations",
        rules.DECIDERS,
        TextInput,
        lambda audit_id, data, **kw: services.progress.send_observations(
            audit_id, data["text"], received_file("file"), version=data["version"], **kw
        ),
        N_("Les observations sont envoyées."),
        warning=_late_observations,
    ),
    "contest": Action(
        "/contest",
        rules.PLAN_KEEPERS,
        TextInput,
        lambda audit_id, data, **kw: services.progress.contest(
            audit_id, data["text"], version=data["version"], **kw
        ),
        N_("Le rapport est contesté."),
    ),
    "add_measure": Action(
        "/measures",
        rules.PLAN_KEEPERS,
        MeasureInput,
        lambda audit_id, data, **kw: services.measures.add_measure(audit_id, data, **kw),
        N_("La mesure corrective est ajoutée."),
    ),
    "measure_status": Action(
        "/measures/<int:measure_id>",
        rules.PLAN_KEEPERS,
        MeasureStatusInput,
        lambda audit_id, data, *, measure_id, **kw: services.measures.set_measure_status(
            audit_id, measure_id, data["status"], **kw
        ),
        N_("Le statut de la mesure est enregistré."),
    ),
    "log_time": Action(
        "/time",
        rules.TIME_LOGGERS,
        TimeEntryInput,
        lambda audit_id, data, **kw: services.timelog.log_time(audit_id, data, **kw),
        N_("Le temps passé est enregistré."),
    ),
    "add_document": Action(
        "/documents",
        rules.REPORT_SENDERS,
        None,
        lambda audit_id, data, **kw: services.progress.add_document(
            audit_id, received_file("file"), **kw
        ),
        N_("Le document est ajouté."),
    ),
    # The auditor's portal: packs shared with the audit's auditors.
    "share_pack": Action(
        "/packs",
        portal.SHARERS,
        None,
        lambda audit_id, data, **kw: portal.share_pack(
            audit_id, request.form.get("pack", ""), **kw
        ),
        N_("Le paquet de preuves est partagé avec les auditeurs de cet audit."),
    ),
    "withdraw_pack": Action(
        "/packs/<int:share_id>/withdraw",
        portal.SHARERS,
        None,
        lambda audit_id, data, *, share_id, **kw: portal.withdraw_share(audit_id, share_id, **kw),
        N_("Le paquet n'est plus partagé."),
    ),
}


def _step(function: Callable[[], Callable], roles: tuple[str, ...], message: str) -> Action:
    """A step that takes only the page's version; `function` is looked up when the step runs."""
    return Action(
        "/step/<name>",
        roles,
        VersionInput,
        lambda audit_id, data, **kw: function()(audit_id, version=data["version"], **kw),
        message,
    )


# Posted to the one endpoint `step` (url_for("audit_actions.step", name=...)).
STEPS: dict[str, Action] = {
    "cancel": _step(
        lambda: services.decisions.cancel, rules.REQUESTERS, N_("La demande est annulée.")
    ),
    "start": _step(lambda: services.progress.start, rules.PLAN_KEEPERS, N_("L'audit a commencé.")),
    "corrective-plan": _step(
        lambda: services.progress.require_corrective_plan,
        rules.PLAN_KEEPERS,
        N_("Le plan de mesures correctives est ouvert."),
    ),
    "close": _step(lambda: services.progress.close, rules.PLAN_KEEPERS, N_("L'audit est clos.")),
}


def _back(audit_id: int):
    return redirect(url_for("audits.detail", audit_id=audit_id))


def _refused(audit_id: int, err: DomainError):
    if isinstance(err, NotFound | Forbidden | Conflict):
        raise err  # 404 for a foreign municipality, 403 for a refused role, 409 when stale
    db.session.rollback()
    texts = [m for messages in err.fields.values() for m in messages] or [err.message]
    for text in dict.fromkeys(texts):
        flash(text, "error")
    return _back(audit_id), 303


def _perform(action: Action, audit_id: int, **url_values):
    """Load the form, call the service; flash its message, or the refusal, and go back."""
    try:
        data = load(action.schema(), request.form) if action.schema is not None else {}
        result = action.call(audit_id, data, actor=current_actor(), now=clock.now(), **url_values)
    except DomainError as err:
        return _refused(audit_id, err)
    warning = action.warning(result) if action.warning is not None else None
    if warning:
        flash(warning, "warning")
    flash(action.message, "success")
    return _back(audit_id)


def _register(endpoint: str, action: Action) -> None:
    def view(audit_id: int, **url_values):
        return _perform(action, audit_id, **url_values)

    view.__name__ = view.__qualname__ = endpoint
    bp.add_url_rule(
        f"/<int:audit_id>{action.rule}",
        endpoint,
        roles_required(*action.roles)(view),
        methods=["POST"],
    )


for _endpoint, _action in ACTIONS.items():
    _register(_endpoint, _action)


@bp.post("/<int:audit_id>/step/<name>")
@roles_required(*rules.READERS)
def step(audit_id: int, name: str):
    action = STEPS.get(name)
    if action is None:
        return _back(audit_id), 303
    require(current_actor(), *action.roles)  # 403 before the form is read, as the other forms
    return _perform(action, audit_id)


# The two answers that show the page itself: new auditor passwords are shown once, in this
# answer only, never put in the (signed, not encrypted) session.


@bp.post("/<int:audit_id>/accept")
@roles_required(*rules.DECIDERS)
def accept(audit_id: int):
    try:
        version = load(VersionInput(), request.form)["version"]
        decision = services.decisions.accept(
            audit_id, actor=current_actor(), now=clock.now(), version=version
        )
    except DomainError as err:
        return _refused(audit_id, err)
    if decision.accounts:
        return detail(audit_id, accounts=decision.accounts)
    flash(N_("L'audit est accepté."), "success")
    return _back(audit_id)


@bp.post("/<int:audit_id>/auditors/<int:auditor_id>/password")
@roles_required(*rules.DECIDERS)
def auditor_password(audit_id: int, auditor_id: int):
    email, password = services.decisions.new_auditor_password(
        audit_id, auditor_id, actor=current_actor(), now=clock.now()
    )
    return detail(audit_id, accounts=[(email, password)])
