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
        cached = current_app.extensions["rgpd_openapi"] = build(current_app)
    return cached


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
