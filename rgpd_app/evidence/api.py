"""/api/v1/evidence-packs: ask for a signed pack (built by the worker: 202 and its job), and
check one uploaded as the request body."""

import tempfile
from pathlib import Path

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.errors import ValidationFailed
from rgpd_app.evidence import services
from rgpd_app.evidence.jobs import BUILDERS, request_pack
from rgpd_app.exports import job_api
from rgpd_app.foundation import roles
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_

bp = api_blueprint("evidence_api", __name__, "/evidence-packs")


@bp.post("")
def create():
    """Body: `controller_id` (processor staff; a municipality's DPO gets its own), `from`, `to`
    (YYYY-MM-DD). The answer carries the pack's password once: it is never shown again."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": [N_("Corps JSON (objet) attendu.")]})
    actor = api_actor()
    require(actor, *BUILDERS)
    job, password = request_pack(body, actor=actor, now=clock.now())
    data, status, headers = job_api.accepted(job)
    return data | {"password": password}, status, headers | {"Cache-Control": "no-store"}


@bp.post("/verify")
def verify():
    """Body: the pack's bytes; header `X-Pack-Password`. Answers the failures (empty: intact)."""
    require(api_actor(), *BUILDERS, roles.AUDITOR)
    password = request.headers.get("X-Pack-Password", "")
    if not password or not request.content_length:
        raise ValidationFailed(
            {
                "X-Pack-Password": [
                    N_("Le paquet (corps) et son mot de passe (en-tête) sont requis.")
                ]
            }
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "paquet.zip"
        path.write_bytes(request.get_data())
        problems = services.verify(path, password, now=clock.now())
    return {"intact": not problems, "problems": problems}
