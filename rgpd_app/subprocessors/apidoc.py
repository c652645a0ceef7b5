"""The OpenAPI description of /api/v1/subprocessors and /api/v1/subprocessor-notices."""

from rgpd_app.openapi_legacy import PATHS, _op, _path_id, _query

TAG = "sous-traitants"
_S, _D = {"type": "string"}, {"type": "string", "format": "date"}
_LIST = {"type": "array", "items": {"type": "string"}}
_SUB = {
    "type": "object",
    "required": ["legal_name", "address", "contact", "country"],
    "properties": {
        "legal_name": _S, "address": _S, "contact": _S,
        "country": {"type": "string", "description": "code ISO 3166 à deux lettres"},
        "processing_countries": _LIST,
        "activities": {**_LIST, "description": "codes d'opérations du registre"},
        "contract_start_on": _D, "contract_end_on": _D,
        "dpa_reference": _S, "dpa_valid_until_on": _D,
        "transfer_mechanism": {"type": "string", "enum": ["adequacy", "sccs", "bcrs", "art49"]},
        "transfer_documentation": _S,
    },
}  # fmt: skip
_NOTICE = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["addition", "replacement"]},
        "subprocessor_id": {"type": "integer"},
        "replaced_id": {"type": "integer"},
        "activities": _LIST,
        "contract_start_on": _D,
        "contract_end_on": _D,
        "scope": {"type": "string", "enum": ["all", "activity"]},
        "details": _S,
    },
}
_PAGE = [_query("page", "integer"), _query("per_page", "integer")]
_SUB_ID, _NOTICE_ID, _RID = _path_id("sub_id"), _path_id("notice_id"), _path_id("recipient_id")


def _body(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def _answer(summary: str, body: dict) -> dict:
    return {"post": _op(summary, tag=TAG, params=[_NOTICE_ID, _RID], body=body)}


PATHS.update({
    "/api/v1/subprocessor-notices": {
        "get": _op("Notifications de changement (reçues, pour une collectivité)", tag=TAG,
                   params=_PAGE),
        "post": _op("Préparer une notification (brouillon)", tag=TAG, ok="201", body=_NOTICE),
    },
    "/api/v1/subprocessor-notices/{notice_id}": {
        "get": _op("Une notification", tag=TAG, params=[_NOTICE_ID]),
        "put": _op("Modifier un brouillon", tag=TAG, params=[_NOTICE_ID], body=_NOTICE),
    },
    "/api/v1/subprocessor-notices/{notice_id}/send": {
        "post": _op("Envoyer : refusé avec tous les éléments manquants, sinon un destinataire, "
                    "un délai et un e-mail par collectivité", tag=TAG, params=[_NOTICE_ID]),
    },
    "/api/v1/subprocessor-notices/{notice_id}/recipients": {
        "get": _op("Collectivités informées : state, received_on, window_ends_on, "
                   "window_closes_at", tag=TAG, params=[_NOTICE_ID, *_PAGE]),
    },
    "/api/v1/subprocessor-notices/{notice_id}/recipients/{recipient_id}": {
        "get": _op("Un destinataire et son délai", tag=TAG, params=[_NOTICE_ID, _RID]),
    },
    "/api/v1/subprocessor-notices/{notice_id}/recipients/{recipient_id}/objection":
        _answer("Objection motivée (DPO de la collectivité) ; rejouée : la première revient",
                _body(["reason"], reason=_S)),
    "/api/v1/subprocessor-notices/{notice_id}/recipients/{recipient_id}/approval":
        _answer("Accord écrit (seul accord valable pour un transfert hors UE/EEE)",
                _body(["reference"], reference=_S)),
    "/api/v1/subprocessor-notices/{notice_id}/recipients/{recipient_id}/receipt":
        _answer("Autre date de réception avec son justificatif (DPO du sous-traitant)",
                _body(["received_on", "proof"], received_on=_D, proof=_S)),
    "/api/v1/subprocessor-notices/{notice_id}/recipients/{recipient_id}/outcome":
        _answer("Suite donnée à une objection (DPO du sous-traitant)",
                _body(["outcome", "note"], note=_S, outcome={
                    "type": "string", "enum": ["withdrawn", "alternative_offered",
                                               "agreement_reached", "contract_terminated"]})),
})  # fmt: skip
