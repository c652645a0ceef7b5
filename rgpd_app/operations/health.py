"""`/healthz`, `/readyz` and `/metrics`: unauthenticated probes, and metrics behind a token.

None of them opens a session or reads a person's data: the probes answer from the process, a
`SELECT 1`, the alembic revision and a probe file; the metrics are counts, states and ages.
"""

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request

from rgpd_app import clock
from rgpd_app.operations import metrics, status

bp = Blueprint("operations", __name__)  # its paths are web.PROBE_PATHS: no session


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """The process answers: no database, no file."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    """Ready for traffic: 200, or 503 naming each check that failed."""
    ready = status.readiness()
    response = jsonify(status="ok" if ready.ok else "fail", checks=ready.checks)
    response.status_code = 200 if ready.ok else 503
    return _no_store(response)


@bp.get("/metrics")
def prometheus():
    """Prometheus text format behind `Authorization: Bearer <RGPD_METRICS_TOKEN>`; without a
    configured token the page does not exist (404)."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return Response("unauthorized\n", 401, {"WWW-Authenticate": "Bearer"})
    body = metrics.exposition(clock.now())
    return _no_store(Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8"))
