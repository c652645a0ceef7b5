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


_PAGE = [_query("page", "integer"), _query("per_page", "integer")]
# The list page's filters (register/api.py, filters_from), shared by the list and its exports.
_REGISTER_FILTERS = [
    _query("q"),
    _query("controller_id", "integer"),
    _query("status"),
    _query("special", "boolean"),
    _query("transfers", "boolean"),
    _query("pending_consent", "boolean"),
]

PATHS: dict[str, dict] = {
    "/api/v1/processings": {
        "get": _op(
            "Registre des traitements visibles (filtres et pages)",
            tag="registre",
            params=[*_REGISTER_FILTERS, *_PAGE],
        ),
        "post": _op(
            "Créer un traitement (DPO du sous-traitant ; DPO de la collectivité pour la sienne)",
            tag="registre",
            ok="201",
            body={"$ref": "#/components/schemas/ProcessingInput"},
        ),
    },
    "/api/v1/processings/export": {
        "get": _op(
            "Exporter le registre (CSV, XLSX, ODS, JSON, PDF) : liste filtrée, "
            "registre art. 30(2) (`register=processor`) ou art. 30(1) d'une collectivité "
            "(`register=controller`) ; chaque export est journalisé. Un long export XLSX, ODS "
            "ou PDF est confié au worker : réponse 202, à suivre sur /api/v1/exports/{id}",
            tag="registre",
            params=[_query("format", required=True), _query("register"), *_REGISTER_FILTERS],
            accepted="Export confié au worker ; en-tête Location : son état",
        ),
    },
    "/api/v1/processings/{activity_id}": {
        "get": _op(
            "Un traitement, sa complétude et ses problèmes",
            tag="registre",
            params=[_path_id("activity_id")],
        ),
        "patch": _op(
            "Modifier un traitement : champs présents seulement, avec la `version` lue "
            "(409 si elle n'est plus la dernière)",
            tag="registre",
            params=[_path_id("activity_id")],
            body={"$ref": "#/components/schemas/ProcessingInput"},
        ),
    },
    "/api/v1/processings/{activity_id}/status": {
        "post": _op(
            "Valider ou archiver (DPO du sous-traitant) : {status: validated|archived, version}",
            tag="registre",
            params=[_path_id("activity_id")],
            body={
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {"enum": ["validated", "archived"]},
                    "version": {"type": "integer"},
                },
            },
        ),
    },
    "/api/v1/processings/{activity_id}/copies": {
        "post": _op(
            "Copier un traitement type vers plusieurs collectivités (DPO du sous-traitant)",
            tag="registre",
            ok="201",
            accepted="Au-delà de RGPD_COPY_INLINE_MAX collectivités, la copie est confiée au "
            "worker (202, à suivre sur /api/v1/exports/{id}) ; son fichier rend compte de "
            "chaque copie.",
            params=[_path_id("activity_id")],
            body={
                "type": "object",
                "required": ["controller_ids"],
                "properties": {"controller_ids": {"type": "array", "items": {"type": "integer"}}},
            },
        ),
    },
    "/api/v1/processings/{activity_id}/history": {
        "get": _op(
            "Versions du traitement (qui, quand, quoi) ; avec `on=AAAA-MM-JJ`, l'état à cette date",
            tag="registre",
            params=[_path_id("activity_id"), _query("on"), *_PAGE],
        ),
    },
}

COMPONENTS = {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
        "ProcessingInput": {
            "type": "object",
            "description": "Création : controller_id et name obligatoires. Modification : "
            "version obligatoire, les champs absents restent inchangés.",
            "properties": {
                "controller_id": {"type": "integer"},
                "version": {"type": "integer"},
                "name": {"type": "string"},
                "description": {"type": "string"},
                "operations": {"type": "array", "items": {"type": "string"}},
                "operations_detail": {"type": "string"},
                "subprocessor_ids": {"type": "array", "items": {"type": "integer"}},
                "measures": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "family": {"type": "string"},
                            "description": {"type": "string"},
                        },
                    },
                },
                "security_notes": {"type": "string"},
                "purposes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "label": {"type": "string"},
                            "instruction_id": {"type": "integer"},
                        },
                    },
                },
                "legal_bases": {"type": "array", "items": {"type": "string"}},
                "data_subjects": {"type": "array", "items": {"type": "string"}},
                "data_categories": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "label": {"type": "string"},
                            "purpose": {"type": "string"},
                            "retention_value": {"type": "integer"},
                            "retention_unit": {"enum": ["months", "years"]},
                            "retention_criterion": {"type": "string"},
                            "is_special": {"type": "boolean"},
                            "is_criminal": {"type": "boolean"},
                        },
                    },
                },
                "recipients": {"type": "array", "items": {"type": "string"}},
                "estimated_persons": {"type": "integer"},
                "transfers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "country": {"type": "string"},
                            "recipient": {"type": "string"},
                            "safeguard": {"enum": ["adequacy", "sccs", "bcrs", "art49"]},
                            "safeguard_documentation": {"type": "string"},
                            "consent_by": {"type": "string"},
                            "consent_on": {"type": "string", "format": "date"},
                            "consent_reference": {"type": "string"},
                        },
                    },
                },
            },
        },
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
