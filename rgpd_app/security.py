"""Security headers on every answer (CSP without inline script, framing, sniffing, referrer)."""

from urllib.parse import urlsplit

from flask import request, session
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# In the session of a person whose logout goes on to another origin (an identity provider's
# end_session_endpoint): Chromium applies form-action to the redirects after a form too.
FORM_ACTION_ORIGIN = "form_action_origin"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _csp() -> str:
    origin = session.get(FORM_ACTION_ORIGIN, "")
    if not origin:
        return CSP
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}")


def init_app(app) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", _csp())
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
