"""JSON API under /api/v1/audits: the same Input schemas and services as the web pages."""

import base64
import binascii

from flask import request

from audit import STATE_LABELS
from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.apidoc import PAGING, Binary, Page, Param, operation
from rgpd_app.audits import rules, services
from rgpd_app.audits.billing import FORMATS, billing_response
from rgpd_app.audits.decisions import decisions_payload
from rgpd_app.audits.schemas import (
    AuditAcceptedSchema,
    AuditCheckSchema,
    AuditClocksSchema,
    AuditDetailSchema,
    AuditorAccountSchema,
    AuditRequestInput,
    AuditSchema,
    AuditSummarySchema,
    ChoiceInput,
    MeasureInput,
    MeasureSchema,
    MeasureStatusInput,
    RefusalInput,
    ReportInput,
    TextInput,
    TimeEntriesSchema,
    TimeEntryInput,
    TimeEntrySchema,
    VersionInput,
)
from rgpd_app.errors import ValidationFailed, problem
from rgpd_app.extensions import db
from rgpd_app.files import Upload, download_response
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.validation import load

bp = api_blueprint("audits_api", __name__, "/audits")
TAG = "audits"
_VERSION = {"version": 1}
_FILE_EXAMPLE = {
    "filename": "rapport.pdf",
    "content_base64": "JVBERi0xLjQgcmFwcG9ydA==",
    "content_type": "application/pdf",
    "version": 1,
}
_REQUEST_EXAMPLE = {
    "start_on": "2026-04-02",
    "end_on": "2026-04-03",
    "scope": "Gestion des accès à l'application état civil",
    "period_from": "2025-01-01",
    "period_to": "2025-12-31",
    "auditors": [
        {
            "name": "Claire Martin",
            "firm": "Cabinet Vérif",
            "reference": "CV-2026-01",
            "email": "auditeur@verif.example",
            "nda_filename": "accord.pdf",
            "nda_base64": "JVBERi0xLjQgYWNjb3Jk",
        }
    ],
    "ask_agreement": False,
}
# A draft is checked before its files are sent: the auditor's NDA is declared signed.
_CHECK_EXAMPLE = {
    **_REQUEST_EXAMPLE,
    "auditors": [
        {key: value for key, value in _REQUEST_EXAMPLE["auditors"][0].items() if "nda" not in key}
        | {"has_signed_nda": True}
    ],
}


def _body() -> dict:
    return request.get_json(silent=True) or {}


def _decode(filename: str | None, content: str | None, field: str) -> Upload | None:
    if not content:
        return None
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed({field: [N_("Contenu base64 invalide.")]}) from None
    return Upload(filename or "fichier", raw)


def _file(data: dict) -> Upload | None:
    upload = _decode(data["filename"], data["content_base64"], "content_base64")
    if upload is not None:
        upload = Upload(upload.filename, upload.content, data["content_type"])
    return upload


def _detail(item) -> dict:
    """AuditDetailSchema: the audit and its clocks."""
    return {
        **AuditSchema().dump(item),
        "clocks": AuditClocksSchema().dump(services.clocks_for(item)),
    }


@bp.get("")
@operation(
    "Audits visibles",
    tag=TAG,
    query=(Param("state", description="État de l'audit", enum=tuple(STATE_LABELS)), *PAGING),
    response=Page(AuditSummarySchema),
)
def index():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    items, total = services.list_audits(
        actor=api_actor(),
        now=clock.now(),
        state=request.args.get("state", ""),
        page=page,
        per_page=per_page,
    )
    return {
        "items": AuditSummarySchema(many=True).dump(items),
        "total": total,
        "page": page,
        "per_page": per_page,
    }


@bp.post("/check")
@operation(
    "Contrôler un projet de préavis sans l'enregistrer : violations et dates",
    tag=TAG,
    body=AuditRequestInput,
    example={**_CHECK_EXAMPLE, "organisation_id": 1},
    response=AuditCheckSchema,
    errors=(404,),
    description="`organisation_id` : la collectivité, pour un contrôle par le sous-traitant.",
)
def check():
    data = load(AuditRequestInput(), request.get_json(silent=True))
    result = services.submission.check_draft(
        data, actor=api_actor(), now=clock.now(), organisation_id=data["organisation_id"]
    )
    return AuditCheckSchema().dump(result)


@bp.post("")
@operation(
    "Annoncer un audit (DPO de la collectivité)",
    tag=TAG,
    body=AuditRequestInput,
    example=_REQUEST_EXAMPLE,
    response=AuditDetailSchema,
    status=201,
    errors=(404, 413),
    description="Un préavis contraire aux règles du contrat est refusé (400) : le problème "
    "porte alors aussi `check`, la réponse de POST /api/v1/audits/check.",
)
def create():
    data = load(AuditRequestInput(), request.get_json(silent=True))
    ndas = [
        _decode(a.get("nda_filename"), a.get("nda_base64"), f"auditors-{i}-nda")
        for i, a in enumerate(data["auditors"])
    ]
    try:
        item = services.submission.request_audit(data, ndas, actor=api_actor(), now=clock.now())
    except services.submission.AuditCheckFailed as err:
        db.session.rollback()
        check = AuditCheckSchema().dump(err.check)
        body = problem(400, err.code, err.message, err.fields) | {"check": check}
        return body, 400, {"Content-Type": "application/problem+json"}
    return _detail(item), 201


@bp.get("/<int:audit_id>")
@operation("Un audit et ses délais", tag=TAG, response=AuditDetailSchema)
def detail(audit_id: int):
    return _detail(services.read_audit(audit_id, actor=api_actor(), now=clock.now()))


@bp.post("/<int:audit_id>/accept")
@operation(
    "Accepter l'audit (DPO du sous-traitant) ; mots de passe des auditeurs montrés une fois",
    tag=TAG,
    body=VersionInput,
    example=_VERSION,
    response=AuditAcceptedSchema,
)
def accept(audit_id: int):
    data = load(VersionInput(), _body())
    decision = services.decisions.accept(audit_id, actor=api_actor(), now=clock.now(), **data)
    return {**_detail(decision.audit), **decisions_payload(decision)}


@bp.post("/<int:audit_id>/refuse")
@operation(
    "Refuser l'auditeur dans le délai, avec un motif",
    tag=TAG,
    body=RefusalInput,
    example={
        "reason": "Cabinet concurrent du sous-traitant",
        "proposed_firm": "Audit Conseil",
        **_VERSION,
    },
    response=AuditDetailSchema,
)
def refuse(audit_id: int):
    data = load(RefusalInput(), _body())
    version = data.pop("version")
    item = services.decisions.refuse(
        audit_id, data, actor=api_actor(), now=clock.now(), version=version
    )
    return _detail(item)


@bp.post("/<int:audit_id>/agreement")
@operation(
    "Accord (ou non) du sous-traitant pour un audit supplémentaire",
    tag=TAG,
    body=ChoiceInput,
    example={"accept": True, **_VERSION},
    response=AuditDetailSchema,
)
def agreement(audit_id: int):
    data = load(ChoiceInput(), _body())
    item = services.decisions.decide_agreement(
        audit_id, data["accept"], actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/firm")
@operation(
    "La collectivité accepte ou décline le cabinet proposé",
    tag=TAG,
    body=ChoiceInput,
    example={"accept": True, **_VERSION},
    response=AuditDetailSchema,
)
def firm(audit_id: int):
    data = load(ChoiceInput(), _body())
    decision = services.decisions.decide_firm(
        audit_id, data["accept"], actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(decision.audit)


def _step(function, audit_id: int):
    data = load(VersionInput(), _body())
    return _detail(function(audit_id, actor=api_actor(), now=clock.now(), **data))


def _step_operation(summary: str):
    return operation(
        summary, tag=TAG, body=VersionInput, example=_VERSION, response=AuditDetailSchema
    )


@bp.post("/<int:audit_id>/cancel")
@_step_operation("Annuler la demande (collectivité)")
def cancel(audit_id: int):
    return _step(services.decisions.cancel, audit_id)


@bp.post("/<int:audit_id>/start")
@_step_operation("Commencer l'audit")
def start(audit_id: int):
    return _step(services.progress.start, audit_id)


@bp.post("/<int:audit_id>/corrective-plan")
@_step_operation("Ouvrir le plan de mesures correctives")
def corrective_plan(audit_id: int):
    return _step(services.progress.require_corrective_plan, audit_id)


@bp.post("/<int:audit_id>/close")
@_step_operation("Clore l'audit")
def close(audit_id: int):
    return _step(services.progress.close, audit_id)


@bp.post("/<int:audit_id>/report")
@operation(
    "Déposer le rapport d'audit (contenu en base64)",
    tag=TAG,
    body=ReportInput,
    example=_FILE_EXAMPLE,
    response=AuditDetailSchema,
    errors=(413,),
)
def report(audit_id: int):
    data = load(ReportInput(), _body())
    item = services.progress.upload_report(
        audit_id, _file(data), actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/observations")
@operation(
    "Envoyer les observations du sous-traitant",
    tag=TAG,
    body=TextInput,
    example={"text": "Aucune observation sur le rapport.", **_VERSION},
    response=AuditDetailSchema,
)
def observations(audit_id: int):
    data = load(TextInput(), _body())
    item = services.progress.send_observations(
        audit_id, data["text"], None, actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/contest")
@operation(
    "Contester le rapport",
    tag=TAG,
    body=TextInput,
    example={"text": "Le constat 3 porte sur un système hors du périmètre.", **_VERSION},
    response=AuditDetailSchema,
)
def contest(audit_id: int):
    data = load(TextInput(), _body())
    item = services.progress.contest(
        audit_id, data["text"], actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/measures")
@operation(
    "Ajouter une mesure corrective",
    tag=TAG,
    body=MeasureInput,
    example={
        "description": "Activer la double authentification",
        "owner": "DSI",
        "due_on": "2026-07-02",
    },
    response=MeasureSchema,
    status=201,
)
def add_measure(audit_id: int):
    data = load(MeasureInput(), _body())
    measure = services.measures.add_measure(audit_id, data, actor=api_actor(), now=clock.now())
    return MeasureSchema().dump(measure), 201


@bp.post("/<int:audit_id>/measures/<int:measure_id>/status")
@operation(
    "Changer le statut d'une mesure (open, done)",
    tag=TAG,
    body=MeasureStatusInput,
    example={"status": "done"},
    response=MeasureSchema,
)
def measure_status(audit_id: int, measure_id: int):
    data = load(MeasureStatusInput(), _body())
    measure = services.measures.set_measure_status(
        audit_id, measure_id, data["status"], actor=api_actor(), now=clock.now()
    )
    return MeasureSchema().dump(measure)


@bp.get("/<int:audit_id>/time")
@operation("Temps passé par le sous-traitant", tag=TAG, response=TimeEntriesSchema)
def time_entries(audit_id: int):
    actor = api_actor()
    require(actor, *rules.TIME_LOGGERS, *rules.BILLING_READERS)
    item = services.read_audit(audit_id, actor=actor, now=clock.now())
    entries = services.timelog.entries(item)
    return TimeEntriesSchema().dump({"items": entries, "total": len(entries)})


@bp.post("/<int:audit_id>/time")
@operation(
    "Saisir du temps passé (facturable)",
    tag=TAG,
    body=TimeEntryInput,
    example={"worked_on": "2026-03-02", "minutes": 75, "description": "Préparation de l'audit"},
    response=TimeEntrySchema,
    status=201,
)
def log_time(audit_id: int):
    data = load(TimeEntryInput(), _body())
    entry = services.timelog.log_time(audit_id, data, actor=api_actor(), now=clock.now())
    return TimeEntrySchema().dump(entry), 201


@bp.get("/<int:audit_id>/billing")
@operation(
    "Relevé du temps passé (CSV ou PDF)",
    tag=TAG,
    query=(Param("format", description="csv par défaut", enum=FORMATS),),
    response=Binary(("text/csv", "application/pdf"), "Le relevé"),
)
def billing(audit_id: int):
    return billing_response(audit_id, api_actor(), request.args.get("format", "csv"))


@bp.get("/<int:audit_id>/documents/<int:document_id>")
@operation(
    "Télécharger un document de l'audit",
    tag=TAG,
    response=Binary(("application/octet-stream",), "Le document, tel que déposé"),
)
def document(audit_id: int, document_id: int):
    found, path = services.progress.open_document(
        audit_id, document_id, actor=api_actor(), now=clock.now()
    )
    return download_response(path, found.original_filename)


@bp.post("/<int:audit_id>/auditors/<int:auditor_id>/password")
@operation(
    "Nouveau mot de passe d'un compte d'auditeur, affiché une fois",
    tag=TAG,
    response=AuditorAccountSchema,
)
def auditor_password(audit_id: int, auditor_id: int):
    email, password = services.decisions.new_auditor_password(
        audit_id, auditor_id, actor=api_actor(), now=clock.now()
    )
    return AuditorAccountSchema().dump({"email": email, "password": password})
