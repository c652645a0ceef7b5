"""The hand-written OpenAPI paths not yet generated from their views (rgpd_app.openapi_build):
what remains here goes as each domain's views get their @operation marks."""

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, *, params=(), body=None, ok="200", tag="", accepted="") -> dict:
    op = {
        "summary": summary,
        "tags": [tag] if tag else [],
        "parameters": list(params),
        "responses": {
            ok: {
                "description": "OK",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "400": {
                "description": "Données invalides",
                "content": {"application/json": {"schema": ERROR}},
            },
            "401": {"description": "Jeton manquant ou invalide"},
            "403": {"description": "Rôle insuffisant"},
            "404": {"description": "Introuvable (ou d'une autre collectivité)"},
        },
    }
    if accepted:  # a long task queued for the worker
        op["responses"]["202"] = {
            "description": accepted,
            "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _path_text(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, kind: str = "string", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


PATHS: dict[str, dict] = {
    "/api/v1/deadlines": {
        "get": _op(
            "Calculer l'échéance d'un délai du contrat, avec son explication",
            tag="délais",
            params=[
                _query("clock", required=True),
                _query("start", required=True),
                _query("calendar"),
                _query("length", "integer"),
                _query("organisation_id", "integer"),
            ],
        ),
    },
    "/api/v1/echeances": {
        "get": _op("Mes échéances : délais en cours, les plus urgents d'abord", tag="délais"),
    },
    "/api/v1/journal": {
        "get": _op(
            "Journal des accès et opérations",
            tag="journal",
            params=[
                _query("action"),
                _query("user"),
                _query("organisation_id", "integer"),
                _query("since"),
                _query("until"),
                _query("page", "integer"),
            ],
        ),
    },
    "/api/v1/notifications": {
        "get": _op(
            "Messages sortants non envoyés ou en échec (administrateur)",
            tag="notifications",
            params=[_query("state"), _query("page", "integer")],
        ),
    },
    "/api/v1/exports": {
        "get": _op("Les exports longs demandés par l'utilisateur du jeton", tag="exports"),
    },
    "/api/v1/exports/{public_id}": {
        "get": _op(
            "Un export long : état, avancement, empreinte SHA-256 et adresse du fichier",
            tag="exports",
            params=[_path_text("public_id")],
        ),
    },
    "/api/v1/evidence-packs": {
        "post": _op(
            "Demander le paquet de preuves signé d'une collectivité pour une période ; construit "
            "par le worker (202, à suivre sur /api/v1/exports/{id}) ; la réponse donne une seule "
            "fois le mot de passe du paquet",
            tag="preuves",
            body={
                "type": "object",
                "properties": {
                    "controller_id": {"type": "integer"},
                    "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"},
                },
            },
            accepted="Paquet confié au worker ; en-tête Location : son état",
        ),
    },
    "/api/v1/evidence-packs/verify": {
        "post": _op(
            "Vérifier un paquet (corps : le zip ; en-tête X-Pack-Password) : archive, fichiers, "
            "signature, chaîne du journal",
            tag="preuves",
        ),
    },
    "/api/v1/exports/{public_id}/file": {
        "get": _op(
            "Le fichier d'un export long terminé (téléchargement journalisé)",
            tag="exports",
            params=[_path_text("public_id")],
        ),
    },
}

COMPONENTS = {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
        },
    },
}
