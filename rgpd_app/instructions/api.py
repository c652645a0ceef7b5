"""JSON API under /api/v1/instructions: the same Input schemas and services as the pages."""

import base64
import binascii

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Binary, Page, operation
from rgpd_app.errors import ValidationFailed
from rgpd_app.exports import FORMATS, MIMETYPES, export_response
from rgpd_app.files import Upload, download_response
from rgpd_app.instructions import decisions, exporting, services
from rgpd_app.instructions.schemas import (
    PER_PAGE_MAX,
    AppliedInput,
    AttachmentIdsSchema,
    CnilInput,
    ConfirmInput,
    ExportQueryInput,
    FilesInput,
    FlagInput,
    InForceQueryInput,
    InForceRowSchema,
    InstructionExportRowSchema,
    InstructionSchema,
    InstructionSummarySchema,
    InstructionUpdateInput,
    ListQueryInput,
    NewInstructionInput,
    WithdrawInput,
)
from rgpd_app.messages import N_
from rgpd_app.validation import load

bp = api_blueprint("instructions_api", __name__, "/instructions")
TAG = "instructions"
_FILE_EXAMPLE = {
    "filename": "deliberation.pdf",
    "content_base64": "JVBERi0xLjQgZMOpbGliw6lyYXRpb24=",
    "content_type": "application/pdf",
}
_INSTRUCTION_EXAMPLE = {
    "subject": "Durée de conservation des listes électorales",
    "text": "Supprimer les extractions des listes électorales un an après chaque scrutin.",
    "effective_on": "2026-03-02",
    "activity_ids": [1],
}


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


def _page(query: dict) -> tuple[int, int]:
    return query.pop("page"), min(PER_PAGE_MAX, query.pop("per_page"))


@bp.get("")
@operation(
    "Instructions écrites visibles, filtrées",
    tag=TAG,
    query=ListQueryInput,
    response=Page(InstructionSummarySchema),
)
def index():
    filters = load(ListQueryInput(), request.args)
    page, per_page = _page(filters)
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
@operation(
    "Donner une instruction écrite (donneur d'instructions ou DPO de la collectivité)",
    tag=TAG,
    body=NewInstructionInput,
    example={**_INSTRUCTION_EXAMPLE, "files": [_FILE_EXAMPLE]},
    response=InstructionSchema,
    status=201,
    errors=(413,),
    description="Les pièces jointes (`files`) sont envoyées en base64 dans le même corps.",
)
def create():
    data = load(NewInstructionInput(), _body())
    files = _uploads(data.pop("files"))
    item = services.record_instruction(data, files, actor=api_actor(), now=clock.now())
    return _dump(item), 201


@bp.get("/in-force")
@operation(
    "Instruction en vigueur pour chaque traitement visible",
    tag=TAG,
    query=InForceQueryInput,
    response=Page(InForceRowSchema),
)
def in_force():
    filters = load(InForceQueryInput(), request.args)
    page, per_page = _page(filters)
    found = services.inforce.in_force_listing(
        actor=api_actor(), now=clock.now(), filters=filters, page=page, per_page=per_page
    )
    return {
        "items": InForceRowSchema(many=True).dump(found.items),
        "total": found.total,
        "page": page,
        "per_page": per_page,
    }


@bp.get("/export")
@operation(
    "Export du registre des instructions (csv, xlsx, ods, json, pdf)",
    tag=TAG,
    query=ExportQueryInput,
    response=Binary(
        tuple(MIMETYPES[f] for f in FORMATS),
        "Le registre",
        json=InstructionExportRowSchema(many=True),
    ),
)
def export():
    actor, filters = api_actor(), load(ExportQueryInput(), request.args)
    fmt = filters.pop("format")
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
@operation(
    "Une instruction, ses traitements et ses pièces jointes", tag=TAG, response=InstructionSchema
)
def detail(instruction_id: int):
    return _dump(services.read_instruction(instruction_id, actor=api_actor(), now=clock.now()))


@bp.put("/<int:instruction_id>")
@operation(
    "Corriger une instruction avant l'accusé de réception (409 ensuite)",
    tag=TAG,
    body=InstructionUpdateInput,
    example=_INSTRUCTION_EXAMPLE,
    response=InstructionSchema,
)
def update(instruction_id: int):
    data = load(InstructionUpdateInput(), _body())
    item = services.update_instruction(instruction_id, data, actor=api_actor(), now=clock.now())
    return _dump(item)


@bp.post("/<int:instruction_id>/attachments")
@operation(
    "Ajouter des pièces jointes avant l'accusé de réception",
    tag=TAG,
    body=FilesInput,
    example={"files": [_FILE_EXAMPLE]},
    response=AttachmentIdsSchema,
    status=201,
    errors=(413,),
)
def attachments(instruction_id: int):
    files = _uploads(load(FilesInput(), _body())["files"])
    stored = services.add_attachments(instruction_id, files, actor=api_actor(), now=clock.now())
    return AttachmentIdsSchema().dump({"attachments": [s.id for s in stored]}), 201


@bp.get("/<int:instruction_id>/attachments/<int:attachment_id>")
@operation(
    "Télécharger une pièce jointe ou le courrier d'alerte",
    tag=TAG,
    response=Binary(("application/octet-stream",), "Le fichier, tel que déposé"),
)
def attachment(instruction_id: int, attachment_id: int):
    found, path = services.open_attachment(
        instruction_id, attachment_id, actor=api_actor(), now=clock.now()
    )
    return download_response(path, found.original_filename)


@bp.post("/<int:instruction_id>/acknowledge")
@operation("Accuser réception (DPO du sous-traitant)", tag=TAG, response=InstructionSchema)
def acknowledge(instruction_id: int):
    return _dump(decisions.acknowledge(instruction_id, actor=api_actor(), now=clock.now()))


def _step(service, schema, instruction_id: int) -> dict:
    data = load(schema(), _body())
    return _dump(service(instruction_id, data, actor=api_actor(), now=clock.now()))


def _step_operation(summary: str, body, example: dict):
    return operation(summary, tag=TAG, body=body, example=example, response=InstructionSchema)


@bp.post("/<int:instruction_id>/flag")
@_step_operation(
    "Signaler une instruction semblant contraire à la réglementation (suspendue)",
    FlagInput,
    {"reason": "La durée demandée dépasse celle fixée par le code électoral."},
)
def flag(instruction_id: int):
    return _step(decisions.flag, FlagInput, instruction_id)


@bp.post("/<int:instruction_id>/confirm")
@_step_operation(
    "Confirmer par écrit une instruction suspendue (collectivité)",
    ConfirmInput,
    {"text": "Instruction maintenue après avis de notre DPO."},
)
def confirm(instruction_id: int):
    return _step(decisions.confirm, ConfirmInput, instruction_id)


@bp.post("/<int:instruction_id>/withdraw")
@_step_operation(
    "Retirer l'instruction (collectivité)",
    WithdrawInput,
    {"reason": "Remplacée par une délibération"},
)
def withdraw(instruction_id: int):
    return _step(decisions.withdraw, WithdrawInput, instruction_id)


@bp.post("/<int:instruction_id>/cnil")
@_step_operation(
    "Enregistrer la saisine de la CNIL sur le désaccord",
    CnilInput,
    {"referred_on": "2026-03-02", "reference": "CNIL-2026-0042"},
)
def cnil(instruction_id: int):
    return _step(decisions.refer_to_cnil, CnilInput, instruction_id)


@bp.post("/<int:instruction_id>/applied")
@_step_operation(
    "Marquer l'instruction appliquée (refusé si suspendue)",
    AppliedInput,
    {"note": "Extractions supprimées le 2 mars."},
)
def applied(instruction_id: int):
    return _step(decisions.mark_applied, AppliedInput, instruction_id)
