"""The OpenAPI description of /api/v1/deposits, added to the shared PATHS at import."""

from rgpd_app.openapi_legacy import PATHS, _op, _path_id, _query

TAG = "dépôts"
_DEPOSIT = _path_id("deposit_id")

_download = _op(
    "Télécharger l'archive AES-256 (support, sécurité, DPO de la collectivité)",
    tag=TAG,
    params=[_DEPOSIT],
)
_download["responses"]["200"] = {
    "description": "L'archive zip chiffrée",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}
_download["responses"]["409"] = {"description": "Dépôt détruit"}

PATHS.update(
    {
        "/api/v1/deposits": {
            "get": _op(
                "Dépôts de fichiers visibles (reçus et envoyés), les plus récents d'abord",
                tag=TAG,
                params=[
                    _query("direction"),
                    _query("state"),
                    _query("organisation_id", "integer"),
                    _query("intervention_id", "integer"),
                    _query("overdue", "boolean"),
                    _query("page", "integer"),
                    _query("per_page", "integer"),
                ],
            ),
        },
        "/api/v1/deposits/{deposit_id}": {
            "get": _op(
                "Un dépôt : empreinte, vérification, état, destruction", tag=TAG, params=[_DEPOSIT]
            ),
        },
        "/api/v1/deposits/{deposit_id}/download": {"get": _download},
    }
)
