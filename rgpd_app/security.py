"""Security headers on every answer (CSP without inline script, framing, sniffing, referrer)."""

from flask import request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.is_secure or app.config["FORCE_HTTPS"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        # Nothing a signed-in user sees (personal data) is kept by a browser or a proxy cache
        # (ASVS 14.3.2); the API answers tokens, never the session.
        if request.path.startswith("/api/") or (
            not request.path.startswith("/static/") and current_user.is_authenticated
        ):
            response.headers["Cache-Control"] = "no-store"
        return response
