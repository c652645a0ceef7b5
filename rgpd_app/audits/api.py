"""JSON API under /api/v1/audits: the same Input schemas and services as the web pages."""

import base64
import binascii

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.audits import apidoc, rules, services  # noqa: F401  (apidoc: OpenAPI paths)
from rgpd_app.audits.billing import billing_response
from rgpd_app.audits.decisions import decisions_payload
from rgpd_app.audits.schemas import (
    AuditRequestInput,
    AuditSchema,
    AuditSummarySchema,
    ChoiceInput,
    FileInput,
    MeasureInput,
    MeasureSchema,
    MeasureStatusInput,
    RefusalInput,
    TextInput,
    TimeEntryInput,
    TimeEntrySchema,
    VersionInput,
    check_dict,
    deadline_dict,
)
from rgpd_app.errors import ValidationFailed, problem
from rgpd_app.extensions import db
from rgpd_app.files import Upload, download_response
from rgpd_app.messages import N_
from rgpd_app.tenancy import require
from rgpd_app.validation import load

bp = api_blueprint("audits_api", __name__, "/audits")


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
    clocks = services.clocks_for(item)
    return {
        **AuditSchema().dump(item),
        "clocks": {
            "refusal": deadline_dict(clocks.refusal),
            "observations": deadline_dict(clocks.observations),
            "corrective": deadline_dict(clocks.corrective),
        },
    }


@bp.get("")
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
def check():
    data = load(AuditRequestInput(), request.get_json(silent=True))
    result = services.submission.check_draft(
        data, actor=api_actor(), now=clock.now(), organisation_id=data["organisation_id"]
    )
    return check_dict(result)


@bp.post("")
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
        body = problem(400, err.code, err.message, err.fields) | {"check": check_dict(err.check)}
        return body, 400, {"Content-Type": "application/problem+json"}
    return _detail(item), 201


@bp.get("/<int:audit_id>")
def detail(audit_id: int):
    return _detail(services.read_audit(audit_id, actor=api_actor(), now=clock.now()))


@bp.post("/<int:audit_id>/accept")
def accept(audit_id: int):
    data = load(VersionInput(), _body())
    decision = services.decisions.accept(audit_id, actor=api_actor(), now=clock.now(), **data)
    return {**_detail(decision.audit), **decisions_payload(decision)}


@bp.post("/<int:audit_id>/refuse")
def refuse(audit_id: int):
    data = load(RefusalInput(), _body())
    version = data.pop("version")
    item = services.decisions.refuse(
        audit_id, data, actor=api_actor(), now=clock.now(), version=version
    )
    return _detail(item)


@bp.post("/<int:audit_id>/agreement")
def agreement(audit_id: int):
    data = load(ChoiceInput(), _body())
    item = services.decisions.decide_agreement(
        audit_id, data["accept"], actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/firm")
def firm(audit_id: int):
    data = load(ChoiceInput(), _body())
    decision = services.decisions.decide_firm(
        audit_id, data["accept"], actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(decision.audit)


def _step(function, audit_id: int):
    data = load(VersionInput(), _body())
    return _detail(function(audit_id, actor=api_actor(), now=clock.now(), **data))


@bp.post("/<int:audit_id>/cancel")
def cancel(audit_id: int):
    return _step(services.decisions.cancel, audit_id)


@bp.post("/<int:audit_id>/start")
def start(audit_id: int):
    return _step(services.progress.start, audit_id)


@bp.post("/<int:audit_id>/corrective-plan")
def corrective_plan(audit_id: int):
    return _step(services.progress.require_corrective_plan, audit_id)


@bp.post("/<int:audit_id>/close")
def close(audit_id: int):
    return _step(services.progress.close, audit_id)


@bp.post("/<int:audit_id>/report")
def report(audit_id: int):
    data = load(FileInput(), _body())
    item = services.progress.upload_report(
        audit_id, _file(data), actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/observations")
def observations(audit_id: int):
    data = load(TextInput(), _body())
    item = services.progress.send_observations(
        audit_id, data["text"], None, actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/contest")
def contest(audit_id: int):
    data = load(TextInput(), _body())
    item = services.progress.contest(
        audit_id, data["text"], actor=api_actor(), now=clock.now(), version=data["version"]
    )
    return _detail(item)


@bp.post("/<int:audit_id>/measures")
def add_measure(audit_id: int):
    data = load(MeasureInput(), _body())
    measure = services.measures.add_measure(audit_id, data, actor=api_actor(), now=clock.now())
    return MeasureSchema().dump(measure), 201


@bp.post("/<int:audit_id>/measures/<int:measure_id>/status")
def measure_status(audit_id: int, measure_id: int):
    data = load(MeasureStatusInput(), _body())
    measure = services.measures.set_measure_status(
        audit_id, measure_id, data["status"], actor=api_actor(), now=clock.now()
    )
    return MeasureSchema().dump(measure)


@bp.get("/<int:audit_id>/time")
def time_entries(audit_id: int):
    actor = api_actor()
    require(actor, *rules.TIME_LOGGERS, *rules.BILLING_READERS)
    item = services.read_audit(audit_id, actor=actor, now=clock.now())
    entries = services.timelog.entries(item)
    return {"items": TimeEntrySchema(many=True).dump(entries), "total": len(entries)}


@bp.post("/<int:audit_id>/time")
def log_time(audit_id: int):
    data = load(TimeEntryInput(), _body())
    entry = services.timelog.log_time(audit_id, data, actor=api_actor(), now=clock.now())
    return TimeEntrySchema().dump(entry), 201


@bp.get("/<int:audit_id>/billing")
def billing(audit_id: int):
    return billing_response(audit_id, api_actor(), request.args.get("format", "csv"))


@bp.get("/<int:audit_id>/documents/<int:document_id>")
def document(audit_id: int, document_id: int):
    found, path = services.progress.open_document(
        audit_id, document_id, actor=api_actor(), now=clock.now()
    )
    return download_response(path, found.original_filename)


@bp.post("/<int:audit_id>/auditors/<int:auditor_id>/password")
def auditor_password(audit_id: int, auditor_id: int):
    email, password = services.decisions.new_auditor_password(
        audit_id, auditor_id, actor=api_actor(), now=clock.now()
    )
    return {"email": email, "password": password}
