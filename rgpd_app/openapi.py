"""/api/v1/openapi.json (built from the code, rgpd_app.openapi_build) and /api/v1/docs (Swagger UI
from the flask-swagger-ui package's files, served here: no CDN, within our CSP)."""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, current_app, render_template, send_from_directory

from rgpd_app.apidoc import Binary, operation
from rgpd_app.errors import NotFound
from rgpd_app.openapi_build import build

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
_SWAGGER_FILES = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}


def document() -> dict:
    """The document of the running application, built once per process."""
    cached = current_app.extensions.get("rgpd_openapi")
    if cached is None:
        cached = current_app.extensions["rgpd_openapi"] = _with_legacy(build(current_app))
    return cached


def _with_legacy(spec: dict) -> dict:
    from rgpd_app import openapi_legacy

    for path, operations in openapi_legacy.PATHS.items():
        for method, op in operations.items():
            spec["paths"].setdefault(path, {}).setdefault(method, op)
    for name, schema in openapi_legacy.COMPONENTS["schemas"].items():
        spec["components"]["schemas"].setdefault(name, schema)
    return spec


@bp.get("/openapi.json")
@operation(
    "Cette description OpenAPI 3.1", tag="documentation", public=True, response={"type": "object"}
)
def openapi():
    return document()


@bp.get("/docs")
@operation(
    "La documentation navigable (Swagger UI)",
    tag="documentation",
    public=True,
    response=Binary(("text/html",), "La page"),
)
def docs():
    return render_template("api/docs.html")


@bp.get("/docs/<name>")
@operation("Fichiers de Swagger UI", tag="documentation", public=True, response={"type": "string"})
def docs_file(name: str):
    if name not in _SWAGGER_FILES:
        raise NotFound()
    return send_from_directory(SWAGGER_DIST, name, max_age=86400)
