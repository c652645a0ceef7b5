"""JSON API under /api/v1/instructions: the same Input schemas and services as the pages."""

import base64
import binascii

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.errors import ValidationFailed
from rgpd_app.exports import export_response
from rgpd_app.files import Upload, download_response
from rgpd_app.instructions import apidoc, decisions, exporting, services  # noqa: F401
from rgpd_app.instructions.schemas import (
    AppliedInput,
    CnilInput,
    ConfirmInput,
    FilesInput,
    FiltersInput,
    FlagInput,
    InstructionInput,
    InstructionSchema,
    InstructionSummarySchema,
    InstructionUpdateInput,
    WithdrawInput,
)
from rgpd_app.messages import N_
from rgpd_app.validation import load

bp = api_blueprint("instructions_api", __name__, "/instructions")


def _body() -> dict:
    return request.get_json(silent=True) or {}


def _uploads(files: list[dict]) -> list[Upload]:
    found = []
    for i, item in enumerate(files):
        try:
            raw = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed({f"files-{i}": [N_("Contenu base64 invalide.")]}) from None
        found.append(Upload(item["filename"], raw, item["content_type"]))
    return found


def _dump(item) -> dict:
    return InstructionSchema().dump(item)


@bp.get("")
def index():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    filters = load(FiltersInput(), request.args)
    found = services.list_instructions(
        actor=api_actor(), now=clock.now(), filters=filters, page=page, per_page=per_page
    )
    return {
        "items": InstructionSummarySchema(many=True).dump(found.items),
        "total": found.total,
        "page": page,
        "per_page": per_page,
    }


@bp.post("")
def create():
    body = _body()
    data = load(InstructionInput(), body)
    files = load(FilesInput(), body)["files"]
    item = services.record_instruction(data, _uploads(files), actor=api_actor(), now=clock.now())
    return _dump(item), 201


@bp.get("/in-force")
def in_force():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    filters = load(FiltersInput(), request.args)
    found = services.inforce.in_force_listing(
        actor=api_actor(), now=clock.now(), filters=filters, page=page, per_page=per_page
    )
    items = [
        {
            "activity_id": row.activity.id,
            "activity_name": row.activity.name,
            "organisation_id": row.activity.controller_id,
            "instruction": InstructionSummarySchema().dump(row.instruction)
            if row.instruction
            else None,
        }
        for row in found.items
    ]
    return {"items": items, "total": found.total, "page": page, "per_page": per_page}


@bp.get("/export")
def export():
    actor, fmt = api_actor(), request.args.get("format", "json")
    filters = load(FiltersInput(), request.args)
    return export_response(
        fmt,
        rows=exporting.export_rows(actor=actor, filters=filters),
        columns=exporting.COLUMNS,
        filename="instructions",
        title="Registre des instructions écrites",
        on_done=lambda count: exporting.journal_export(
            actor=actor, now=clock.now(), fmt=fmt, count=count
        ),
    )


@bp.get("/<int:instruction_id>")
def detail(instruction_id: int):
    return _dump(services.read_instruction(instruction_id, actor=api_actor(), now=clock.now()))


@bp.put("/<int:instruction_id>")
def update(instruction_id: int):
    data = load(InstructionUpdateInput(), _body())
    item = services.update_instruction(instruction_id, data, actor=api_actor(), now=clock.now())
    return _dump(item)


@bp.post("/<int:instruction_id>/attachments")
def attachments(instruction_id: int):
    files = _uploads(load(FilesInput(), _body())["files"])
    stored = services.add_attachments(instruction_id, files, actor=api_actor(), now=clock.now())
    return {"attachments": [s.id for s in stored]}, 201


@bp.get("/<int:instruction_id>/attachments/<int:attachment_id>")
def attachment(instruction_id: int, attachment_id: int):
    found, path = services.open_attachment(
        instruction_id, attachment_id, actor=api_actor(), now=clock.now()
    )
    return download_response(path, found.original_filename)


@bp.post("/<int:instruction_id>/acknowledge")
def acknowledge(instruction_id: int):
    return _dump(decisions.acknowledge(instruction_id, actor=api_actor(), now=clock.now()))


def _step(service, schema, instruction_id: int) -> dict:
    data = load(schema(), _body())
    return _dump(service(instruction_id, data, actor=api_actor(), now=clock.now()))


@bp.post("/<int:instruction_id>/flag")
def flag(instruction_id: int):
    return _step(decisions.flag, FlagInput, instruction_id)


@bp.post("/<int:instruction_id>/confirm")
def confirm(instruction_id: int):
    return _step(decisions.confirm, ConfirmInput, instruction_id)


@bp.post("/<int:instruction_id>/withdraw")
def withdraw(instruction_id: int):
    return _step(decisions.withdraw, WithdrawInput, instruction_id)


@bp.post("/<int:instruction_id>/cnil")
def cnil(instruction_id: int):
    return _step(decisions.refer_to_cnil, CnilInput, instruction_id)


@bp.post("/<int:instruction_id>/applied")
def applied(instruction_id: int):
    return _step(decisions.mark_applied, AppliedInput, instruction_id)
