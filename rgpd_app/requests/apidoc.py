"""The OpenAPI description of /api/v1/requests, added to the shared PATHS at import."""

from rgpd_app.openapi_legacy import PATHS, _op, _path_id, _query
from rgpd_app.requests import rules

TAG = "demandes"
_ID = _path_id("request_id")
_S = {"type": "string"}
_KIND = {"enum": list(rules.KINDS)}


def _body(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def _post(summary: str, body: dict | None = None, ok: str = "200") -> dict:
    return {"post": _op(summary, tag=TAG, params=[_ID], body=body, ok=ok)}


PATHS.update(
    {
        "/api/v1/requests": {
            "get": _op(
                "Demandes visibles (sans l'identité des demandeurs)",
                tag=TAG,
                params=[
                    _query("state"),
                    _query("kind"),
                    _query("origin"),
                    _query("organisation_id", "integer"),
                    _query("page", "integer"),
                    _query("per_page", "integer"),
                ],
            ),
            "post": _op(
                "Enregistrer une demande reçue par le sous-traitant ; elle est transmise aussitôt",
                tag=TAG,
                ok="201",
                body=_body(
                    ["organisation_id", "kind", "channel", "requester_identity"],
                    organisation_id={"type": "integer"},
                    kind=_KIND,
                    channel={"enum": list(rules.CHANNELS)},
                    received_at={**_S, "format": "date-time"},
                    requester_identity=_S,
                    details=_S,
                ),
            ),
        },
        "/api/v1/requests/assistance": {
            "post": _op(
                "Demander l'assistance du sous-traitant (DPO de la collectivité)",
                tag=TAG,
                ok="201",
                body=_body(
                    ["question"],
                    request_id={"type": "integer"},
                    kind=_KIND,
                    requester_identity=_S,
                    details=_S,
                    controller_received_on={**_S, "format": "date"},
                    question=_S,
                    retention_months={"type": "integer"},
                ),
            ),
        },
        "/api/v1/requests/{request_id}": {
            "get": _op(
                "Une demande et ses deux délais (assistance, réponse de la collectivité)",
                tag=TAG,
                params=[_ID],
            ),
        },
        "/api/v1/requests/{request_id}/identity": {
            "get": _op(
                "Identité du demandeur et teneur de la demande (DPO seulement, journalisé)",
                tag=TAG,
                params=[_ID],
            ),
        },
        "/api/v1/requests/{request_id}/extend": _post(
            "Prolonger une fois le délai d'assistance, avant sa fin, avec un motif du contrat",
            _body(["reason"], reason={"enum": list(rules.EXTENSION_REASONS)}, note=_S),
        ),
        "/api/v1/requests/{request_id}/time": _post(
            "Saisir du temps passé (facturable)",
            _body(
                ["worked_on", "minutes", "description"],
                worked_on={**_S, "format": "date"},
                minutes={"type": "integer"},
                description=_S,
            ),
            ok="201",
        ),
        "/api/v1/requests/{request_id}/outcome": _post(
            "Terminer l'assistance avec son résultat",
            _body(["outcome", "details"], outcome={"enum": list(rules.OUTCOMES)}, details=_S),
        ),
        "/api/v1/requests/{request_id}/controller-extension": _post(
            "La collectivité prolonge son délai de réponse de deux mois (art. 12(3) RGPD)",
            _body(["reason"], reason=_S),
        ),
        "/api/v1/requests/{request_id}/close": _post("Clore la demande"),
        "/api/v1/requests/{request_id}/billing": {
            "get": _op(
                "Relevé du temps passé (csv, xlsx, ods, json, pdf)",
                tag=TAG,
                params=[_ID, _query("format")],
            ),
        },
    }
)
