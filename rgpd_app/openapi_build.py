"""Build the OpenAPI 3.1 document of /api/v1 from the application itself.

Paths and path parameters come from the URL map, each operation from the `@operation` mark on
its view (rgpd_app.apidoc), bodies, query strings and answers from the marshmallow schemas the
views use (apispec's MarshmallowPlugin). Nothing here lists a path.
"""

from __future__ import annotations

import re
import warnings

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from rgpd_app.apidoc import Binary, Operation, Page
from rgpd_app.validation import DB_INT_MAX

API_PREFIX = "/api/v1/"
PROBLEM_MEDIA = "application/problem+json"

TAGS = {
    "comptes": "Comptes, rôles et jetons d'API",
    "organisations": "Collectivités et organisation du sous-traitant",
    "délais": "Délais du contrat et échéances en cours",
    "journal": "Journal des accès et opérations",
    "notifications": "Canaux de notification",
    "registre": "Registre des traitements (art. 30)",
    "sous-traitants": "Sous-traitants ultérieurs et avis de changement (art. 28(2))",
    "instructions": "Instructions écrites du responsable de traitement (art. 28(3)(a))",
    "audits": "Audits du responsable de traitement (art. 28(3)(h))",
    "violations": "Violations de données et notifications (art. 33)",
    "demandes": "Aide aux demandes des personnes (art. 28(3)(e))",
    "dépôts": "Fichiers échangés par FTP, chiffrés AES-256",
    "exports": "Exports longs construits par le worker",
    "preuves": "Dossiers de preuves signés",
    "documentation": "Cette description",
}

# The error answers (RFC 9457), one component each, referenced by every operation.
ERRORS = {
    400: ("BadRequest", "Données ou paramètres invalides (liste champ par champ)"),
    401: ("Unauthorized", "Jeton manquant, invalide, expiré ou révoqué"),
    403: ("Forbidden", "Rôle insuffisant pour cette opération"),
    404: ("NotFound", "Introuvable, ou d'une organisation que le jeton ne voit pas"),
    409: ("Conflict", "Contraire à l'état de la ressource ou aux règles du contrat"),
    412: ("PreconditionFailed", "If-Match ne correspond plus à la ressource (écriture périmée)"),
    413: ("ContentTooLarge", "Fichier ou corps trop volumineux"),
    422: ("UnprocessableContent", "Idempotency-Key déjà utilisée avec un autre corps"),
    429: ("TooManyRequests", "Trop de requêtes : réessayer après Retry-After secondes"),
}

PROBLEM = {
    "type": "object",
    "description": "Une erreur (RFC 9457), en français par défaut (Accept-Language: en).",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Code stable de l'erreur"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Pour une erreur de validation : chaque champ refusé",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {
                    "field": {"type": "string", "description": "Nom du champ (pointé : a.0.b)"},
                    "code": {"type": "string", "description": "Code stable de la règle"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

_PATH_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_WRITES = {"post", "put", "patch", "delete"}


def _schema_name(schema) -> str | None:
    """Components named after the class; a schema narrowed by only/exclude is inlined."""
    instance = schema() if isinstance(schema, type) else schema
    if instance.only or instance.exclude or getattr(instance, "partial", False):
        return None
    name = type(instance).__name__
    return name[: -len("Schema")] if name.endswith("Schema") and name != "Schema" else name


def _path(rule) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _PATH_ARG.findall(rule.rule):
        if converter == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
        else:
            schema = {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PATH_ARG.sub(r"{\2}", rule.rule), params


def _json_schema(value):
    """A marshmallow schema is left for the plugin to resolve; a dict is already JSON Schema."""
    return value


def _page(page: Page) -> dict:
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": page.item},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            **page.extra,
        },
    }


def _success(op: Operation, method: str) -> dict:
    answers = _answer(op, method)
    if op.accepted:
        answers["202"] = {
            "description": "Export long confié au worker : suivre Location",
            "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": "ExportJobSchema"}},
        }
    return answers


def _answer(op: Operation, method: str) -> dict:
    answer = op.response
    if answer is None:
        return {"204": {"description": "Fait"}}
    if isinstance(answer, Binary):
        content = {
            m: {"schema": {"type": "string", "format": "binary"}} for m in answer.media_types
        }
        if answer.json is not None:
            content["application/json"] = {"schema": answer.json}
        return {str(op.status): {"description": answer.description, "content": content}}
    schema = _page(answer) if isinstance(answer, Page) else _json_schema(answer)
    ok: dict = {"description": "OK" if op.status == 200 else "Créé", "content": {}}
    ok["content"]["application/json"] = {"schema": schema}
    if op.response_example is not None:
        ok["content"]["application/json"]["example"] = op.response_example
    if isinstance(answer, Page):
        ok["headers"] = {"Link": {"$ref": "#/components/headers/Link"}}
    elif method == "get":
        ok["headers"] = {"ETag": {"$ref": "#/components/headers/ETag"}}
    return {str(op.status): ok}


def _errors(op: Operation, method: str, has_path_params: bool) -> dict:
    statuses = {400}
    if not op.public:
        statuses |= {401, 403, 429}
    if has_path_params:
        statuses.add(404)
    if method in _WRITES:
        statuses.add(409)
    if method == "post":
        statuses.add(422)
    if method in {"put", "patch"}:
        statuses.add(412)
    statuses |= set(op.errors)
    return {
        str(status): {"$ref": f"#/components/responses/{ERRORS[status][0]}"}
        for status in sorted(statuses)
    }


def _parameters(op: Operation, method: str, path_params: list[dict]) -> list:
    params = list(path_params)
    query = op.query
    if isinstance(query, type) and issubclass(query, Schema) or isinstance(query, Schema):
        params.append({"in": "query", "schema": query})
    else:
        for p in query:
            entry = {"name": p.name, "in": p.where, "required": p.required, "schema": p.schema()}
            if p.description:
                entry["description"] = p.description
            params.append(entry)
    if method == "post" and op.response is not None:
        params.append("IdempotencyKey")
    if method in {"put", "patch"}:
        params.append("IfMatch")
    return params


def _operation(op: Operation, method: str, endpoint: str, path_params: list[dict]) -> dict:
    described = {
        "operationId": endpoint.replace(".", "_"),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op, method, path_params),
        "responses": {**_success(op, method), **_errors(op, method, bool(path_params))},
    }
    if op.description:
        described["description"] = op.description
    if op.public:
        described["security"] = []
    if op.body is not None:
        media = op.media or ("multipart/form-data" if op.form else "application/json")
        body = {"schema": op.body}
        if op.example is not None:
            body["example"] = op.example
        described["requestBody"] = {"required": True, "content": {media: body}}
    return described


def undocumented(app) -> list[str]:
    """`METHOD /path` of every /api/v1 route whose view carries no @operation."""
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.rule.startswith(API_PREFIX) and not isinstance(
            getattr(view, "openapi", None), Operation
        ):
            missing += [f"{m} {rule.rule}" for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return missing


def _components(spec: APISpec) -> None:
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton d'API créé dans « Mon compte › Jetons d'API » ou par "
            "POST /api/v1/tokens ; il porte les rôles actifs de son compte.",
        },
    )
    spec.components.schema("Problem", PROBLEM)
    for status, (name, description) in ERRORS.items():
        response = {
            "description": description,
            "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        spec.components.response(name, response)
    spec.components.header(
        "Link", {"description": "RFC 8288 : first, prev, next, last", "schema": {"type": "string"}}
    )
    spec.components.header(
        "ETag",
        {"description": "Version de la ressource, pour If-Match", "schema": {"type": "string"}},
    )
    spec.components.parameter(
        "IdempotencyKey",
        "header",
        {
            "name": "Idempotency-Key",
            "required": False,
            "description": "Rejouer la même création avec la même clé et le même corps dans les "
            "24 h répond le premier résultat ; un autre corps avec la même clé répond 422.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        },
    )
    spec.components.parameter(
        "IfMatch",
        "header",
        {
            "name": "If-Match",
            "required": False,
            "description": "L'ETag lu : refusée (412) si la ressource a changé depuis.",
            "schema": {"type": "string"},
        },
    )


def build(app) -> dict:
    from rgpd_app.exports.schemas import ExportJobSchema  # noqa: F401  (the 202 answer)

    spec = APISpec(
        title="rgpd_app API",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={
            "description": "L'API du registre et des obligations du sous-traitant RGPD "
            "(art. 28 et 30) : chaque opération applique les mêmes règles et le même journal "
            "que l'interface web. Jeton : en-tête `Authorization: Bearer …`."
        },
        servers=[{"url": "/"}],
        security=[{"bearer": []}],
        tags=[{"name": name, "description": text} for name, text in TAGS.items()],
    )
    _components(spec)
    spec.components.schema("ExportJob", schema=ExportJobSchema)
    with warnings.catch_warnings():
        # apispec warns when two schemas resolve to one name; that is a bug here, not noise.
        warnings.simplefilter("error")
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            op = getattr(app.view_functions[rule.endpoint], "openapi", None)
            if not rule.rule.startswith(API_PREFIX) or not isinstance(op, Operation):
                continue
            path, path_params = _path(rule)
            operations = {
                method.lower(): _operation(op, method.lower(), rule.endpoint, path_params)
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
            }
            spec.path(path=path, operations=operations)
    return spec.to_dict()
