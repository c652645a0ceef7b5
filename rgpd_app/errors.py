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


# A stable code for each field message (rgpd_app.validation registers marshmallow's): the
# French msgid → "required", "too_long"…; a message not registered is "invalid".
FIELD_CODES: dict[str, str] = {}

TITLES = {
    400: N_("Requête invalide"),
    401: N_("Authentification requise"),
    403: N_("Accès refusé"),
    404: N_("Introuvable"),
    405: N_("Méthode non autorisée"),
    409: N_("Conflit avec l'état de la ressource"),
    412: N_("La ressource a changé depuis sa lecture"),
    413: N_("Contenu trop volumineux"),
    422: N_("Requête impossible à traiter"),
    429: N_("Trop de requêtes"),
}


def field_code(message) -> str:
    return FIELD_CODES.get(getattr(message, "msgid", str(message)), "invalid")


def problem(status: int, code: str, message, fields: dict | None = None) -> dict:
    """The RFC 9457 body of an error, in the request's language."""
    body = {
        "type": "about:blank" if code.startswith("http_") else f"urn:rgpd-app:problem:{code}",
        "title": translated(TITLES.get(status, N_("Erreur"))),
        "status": status,
        "detail": translated(message),
        "code": code,
        "instance": request.path,
    }
    if fields:
        body["errors"] = [
            {"field": name, "code": field_code(m), "message": translated(m)}
            for name, m in _field_messages(fields)
        ]
    return body


def _field_messages(fields, prefix: str = ""):
    """(dotted field name, message) pairs of marshmallow's nested error dicts."""
    for name, messages in fields.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(messages, dict):
            yield from _field_messages(messages, path)
        else:
            for m in messages if isinstance(messages, list | tuple) else [messages]:
                yield path, m


def _answer(status: int, code: str, message: str, fields: dict | None = None):
    if _wants_json():
        answer = jsonify(problem(status, code, message, fields))
        answer.status_code = status
        answer.mimetype = "application/problem+json"
        return answer
    message = translated(message)
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
