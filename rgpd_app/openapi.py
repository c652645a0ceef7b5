"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json.

Each domain adds its paths to PATHS; a test checks that every API route is described.
"""

from flask import Blueprint

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, *, params=(), body=None, ok="200", tag="") -> dict:
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
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _query(name: str, kind: str = "string", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


PATHS: dict[str, dict] = {
    "/api/v1/me": {"get": _op("Le compte du jeton et ses rôles actifs", tag="comptes")},
    "/api/v1/organisations": {
        "get": _op(
            "Organisations visibles",
            tag="organisations",
            params=[
                _query("q"),
                _query("kind"),
                _query("sort"),
                _query("page", "integer"),
                _query("per_page", "integer"),
            ],
        ),
        "post": _op(
            "Créer une collectivité (administrateur)",
            tag="organisations",
            ok="201",
            body={"$ref": "#/components/schemas/OrganisationInput"},
        ),
    },
    "/api/v1/organisations/{org_id}": {
        "get": _op("Une organisation", tag="organisations", params=[_path_id("org_id")]),
    },
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
        "OrganisationInput": {
            "type": "object",
            "required": ["name", "siren", "departement"],
            "properties": {
                "name": {"type": "string"},
                "siren": {"type": "string", "pattern": "^[0-9]{9}$"},
                "departement": {"type": "string"},
                "address": {"type": "string"},
                "dpo_name": {"type": "string"},
                "dpo_email": {"type": "string", "format": "email"},
                "dpo_phone": {"type": "string"},
                "contract_reference": {"type": "string"},
                "contract_start_on": {"type": "string", "format": "date"},
                "contract_end_on": {"type": "string", "format": "date"},
            },
        },
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "rgpd_app API", "version": "1"},
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": COMPONENTS,
    }


@bp.get("/openapi.json")
def openapi():
    return document()
