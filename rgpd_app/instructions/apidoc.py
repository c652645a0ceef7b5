"""The OpenAPI description of /api/v1/instructions, added to the shared PATHS at import."""

from rgpd_app.openapi_legacy import PATHS, _op, _path_id, _query

TAG = "instructions"
_ID = _path_id("instruction_id")
_S = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_FILES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["filename", "content_base64"],
        "properties": {
            "filename": _S,
            "content_base64": {**_S, "contentEncoding": "base64"},
            "content_type": _S,
        },
    },
}
_FIELDS = {
    "subject": _S,
    "text": _S,
    "effective_on": _DATE,
    "activity_ids": {"type": "array", "items": {"type": "integer"}},
}
_FILTERS = [
    _query("state"),
    _query("organisation_id", "integer"),
    _query("activity_id", "integer"),
    _query("q"),
    _query("page", "integer"),
    _query("per_page", "integer"),
]


def _body(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def _post(summary: str, body: dict | None = None, ok: str = "200") -> dict:
    return {"post": _op(summary, tag=TAG, params=[_ID], body=body, ok=ok)}


PATHS.update(
    {
        "/api/v1/instructions": {
            "get": _op("Instructions écrites visibles, filtrées", tag=TAG, params=_FILTERS),
            "post": _op(
                "Donner une instruction écrite (donneur d'instructions ou DPO de la collectivité)",
                tag=TAG,
                ok="201",
                body=_body(
                    ["subject", "text", "effective_on", "activity_ids"],
                    **_FIELDS,
                    supersedes_id={"type": "integer"},
                    files=_FILES,
                ),
            ),
        },
        "/api/v1/instructions/in-force": {
            "get": _op(
                "Instruction en vigueur pour chaque traitement visible",
                tag=TAG,
                params=[
                    _query("organisation_id", "integer"),
                    _query("page", "integer"),
                    _query("per_page", "integer"),
                ],
            ),
        },
        "/api/v1/instructions/export": {
            "get": _op(
                "Export du registre des instructions (csv, xlsx, ods, json, pdf)",
                tag=TAG,
                params=[_query("format"), *_FILTERS[:4]],
            ),
        },
        "/api/v1/instructions/{instruction_id}": {
            "get": _op(
                "Une instruction, ses traitements et ses pièces jointes", tag=TAG, params=[_ID]
            ),
            "put": _op(
                "Corriger une instruction avant l'accusé de réception (409 ensuite)",
                tag=TAG,
                params=[_ID],
                body=_body(["subject", "text", "effective_on"], **_FIELDS),
            ),
        },
        "/api/v1/instructions/{instruction_id}/attachments": _post(
            "Ajouter des pièces jointes avant l'accusé de réception",
            _body(["files"], files=_FILES),
            ok="201",
        ),
        "/api/v1/instructions/{instruction_id}/attachments/{attachment_id}": {
            "get": _op(
                "Télécharger une pièce jointe ou le courrier d'alerte",
                tag=TAG,
                params=[_ID, _path_id("attachment_id")],
            ),
        },
        "/api/v1/instructions/{instruction_id}/acknowledge": _post(
            "Accuser réception (DPO du sous-traitant)"
        ),
        "/api/v1/instructions/{instruction_id}/flag": _post(
            "Signaler une instruction semblant contraire à la réglementation (suspendue)",
            _body(["reason"], reason=_S),
        ),
        "/api/v1/instructions/{instruction_id}/confirm": _post(
            "Confirmer par écrit une instruction suspendue (collectivité)", _body(["text"], text=_S)
        ),
        "/api/v1/instructions/{instruction_id}/withdraw": _post(
            "Retirer l'instruction (collectivité)", _body([], reason=_S)
        ),
        "/api/v1/instructions/{instruction_id}/cnil": _post(
            "Enregistrer la saisine de la CNIL sur le désaccord",
            _body(["referred_on"], referred_on=_DATE, reference=_S),
        ),
        "/api/v1/instructions/{instruction_id}/applied": _post(
            "Marquer l'instruction appliquée (refusé si suspendue)", _body([], note=_S)
        ),
    }
)
