"""/api/v1/evidence-packs: ask for a signed pack (built by the worker: 202 and its job), and
check one uploaded as the request body."""

import tempfile
from pathlib import Path

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Param, operation
from rgpd_app.errors import ValidationFailed
from rgpd_app.evidence import services
from rgpd_app.evidence.jobs import BUILDERS, request_pack
from rgpd_app.evidence.schemas import EvidencePackInput, EvidencePackJobSchema, PackCheckSchema
from rgpd_app.exports.jobs import api as job_api
from rgpd_app.foundation import roles
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.validation import load

bp = api_blueprint("evidence_api", __name__, "/evidence-packs")
TAG = "preuves"


@bp.post("")
@operation(
    "Demander le paquet de preuves signé d'une collectivité pour une période",
    tag=TAG,
    description="Construit par le worker : réponse 202, à suivre sur /api/v1/exports/{id} "
    "(en-tête Location). La réponse donne une seule fois le mot de passe du paquet.",
    body=EvidencePackInput,
    example={"controller_id": 2, "from": "2025-03-01", "to": "2026-02-28"},
    response=EvidencePackJobSchema,
    status=202,
    errors=(404,),
)
def create():
    actor = api_actor()
    require(actor, *BUILDERS)  # a refused role: 403 before any 400
    schema = EvidencePackInput()
    data = load(schema, request.get_json(silent=True))
    job, password = request_pack(schema.params(data), actor=actor, now=clock.now())
    _, status, headers = job_api.accepted(job)
    answer = EvidencePackJobSchema().dump(job) | {"password": password}
    return answer, status, headers | {"Cache-Control": "no-store"}


@bp.post("/verify")
@operation(
    "Vérifier un paquet de preuves : archive, fichiers, signature, chaîne du journal",
    tag=TAG,
    description="Corps : les octets du paquet (zip) ; en-tête X-Pack-Password : son mot de "
    "passe. `problems` vide : le paquet est intact.",
    body={"type": "string", "format": "binary"},
    media="application/octet-stream",
    query=(Param("X-Pack-Password", description="Le mot de passe du paquet", where="header"),),
    response=PackCheckSchema,
    status=200,
    errors=(413,),
    response_example={"intact": False, "problems": ["Signature invalide."]},
)
def verify():
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
    return PackCheckSchema().dump({"intact": not problems, "problems": problems})
