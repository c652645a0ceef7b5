"""Domain errors and their mapping to HTTP answers (JSON under /api, HTML elsewhere)."""

from flask import jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from rgpd_app.extensions import db
from rgpd_app.messages import N_, render


def translated(text) -> str:
    """A message (rgpd_app.messages) in the current request's language."""
    return render(text, gettext)


def translated_fields(fields: dict) -> dict:
    """Per-field messages ({"name": ["Ce champ est obligatoire."]}) in the current language."""
    return {
        name: [translated(m) for m in messages] if isinstance(messages, list) else messages
        for name, messages in fields.items()
    }


class DomainError(Exception):
    """A refused use case: a stable `code`, a French `message`, optional per-field errors.
    Messages are `N_(...)` (rgpd_app.messages): French here, translated where shown."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def translated(self) -> str:
        return translated(self.message)

    def translated_fields(self) -> dict:
        return translated_fields(self.fields)


class ValidationFailed(DomainError):
    """Bad input: `fields` maps each field name to its list of French messages."""

    status = 400
    code = "validation"

    def __init__(self, fields: dict, message: str = N_("Les données envoyées sont invalides.")):
        super().__init__(message, fields=fields)


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = N_("Introuvable.")):
        super().__init__(message)


class Forbidden(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str = N_(N_("Accès refusé.")), *, code: str | None = None):
        super().__init__(message, code=code)


class Conflict(DomainError):
    status = 409
    code = "conflict"


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _answer(status: int, code: str, message: str, fields: dict | None = None):
    message, fields = translated(message), translated_fields(fields or {})
    if _wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        db.session.rollback()  # a refused use case leaves nothing half-written
        return _answer(err.status, err.code, err.message, err.fields)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        messages = {
            400: N_("Requête invalide."),
            401: N_("Authentification requise."),
            403: N_("Accès refusé."),
            404: N_("Page introuvable."),
            405: N_("Méthode non autorisée."),
            413: N_("Fichier trop volumineux."),
            429: N_("Trop de tentatives : réessayez dans quelques minutes."),
        }
        message = messages.get(err.code, err.description or N_("Erreur."))
        if err.code == 400 and "CSRF" in (err.description or ""):
            message = N_(
                "Le formulaire a expiré ou n'est pas valide (jeton CSRF). Rechargez la page."
            )
        return _answer(err.code or 500, f"http_{err.code}", message)
