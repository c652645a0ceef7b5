"""Shared by every /api/v1 blueprint: Bearer-token authentication and query-argument parsing."""

import hashlib

from flask import Blueprint, current_app, g, request

from rgpd_app import api_conventions, clock
from rgpd_app.errors import DomainError
from rgpd_app.extensions import csrf, db, limiter
from rgpd_app.foundation.actor import Actor, actor_for
from rgpd_app.messages import N_


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


def init_app(app, *, find_token) -> None:
    """`find_token(secret, now=...)` gives the active token row or None (accounts.tokens,
    given by create_app: this module sits below the domains and imports none of them)."""
    app.extensions["rgpd_find_api_token"] = find_token


def api_blueprint(name: str, import_name: str, prefix: str = "") -> Blueprint:
    """A JSON blueprint under /api/v1 whose every request needs `Authorization: Bearer …`."""
    bp = Blueprint(name, import_name, url_prefix="/api/v1" + prefix)
    csrf.exempt(bp)

    @bp.before_request
    def _authenticate():
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if request.endpoint and request.endpoint.startswith("openapi."):
            return
        find_token = current_app.extensions["rgpd_find_api_token"]
        row = find_token(token.strip(), now=clock.now()) if scheme == "Bearer" else None
        if row is None:
            raise Unauthorized(N_("Jeton d'API manquant, invalide, expiré ou révoqué."))
        g.api_token_expires_at = row.expires_at
        db.session.commit()  # last_used_at
        g.api_actor = actor_for(row.user, clock.now())

    api_conventions.install(bp)
    limiter.limit(_api_rate, key_func=_token_key, scope="api")(bp)
    return bp


def _api_rate() -> str:
    return current_app.config["RATELIMIT_API"]


def _token_key() -> str:
    """Requests are counted per token (a hash: the limiter's store never holds a secret)."""
    header = request.headers.get("Authorization", "")
    return hashlib.sha256(header.encode()).hexdigest()


def api_actor() -> Actor:
    return g.api_actor


def int_arg(name: str, default: int, upper: int) -> int:
    """A positive integer query argument, capped at `upper`; `default` when absent or malformed
    (only ASCII digits: "²" or "١" pass str.isdigit but are no decimal number here)."""
    value = request.args.get(name, str(default))
    if not (value.isascii() and value.isdigit()):
        return default
    return min(upper, max(1, int(value)))
