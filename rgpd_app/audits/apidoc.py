"""The OpenAPI description of /api/v1/audits, added to the shared PATHS at import."""

from rgpd_app.openapi_legacy import PATHS, _op, _path_id, _query

TAG = "audits"
_AUDIT = _path_id("audit_id")
_VERSION = {"version": {"type": "integer", "description": "version lue (conflit 409 sinon)"}}
_FILE = {
    "type": "object",
    "required": ["filename", "content_base64"],
    "properties": {
        "filename": {"type": "string"},
        "content_base64": {"type": "string", "contentEncoding": "base64"},
        "content_type": {"type": "string"},
        **_VERSION,
    },
}
_AUDITOR = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "firm": {"type": "string"},
        "reference": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "has_signed_nda": {"type": "boolean", "description": "contrôle seul"},
        "nda_filename": {"type": "string"},
        "nda_base64": {"type": "string", "contentEncoding": "base64"},
    },
}
_REQUEST = {
    "type": "object",
    "properties": {
        "start_on": {"type": "string", "format": "date"},
        "end_on": {"type": "string", "format": "date"},
        "scope": {"type": "string"},
        "period_from": {"type": "string", "format": "date"},
        "period_to": {"type": "string", "format": "date"},
        "auditors": {"type": "array", "items": _AUDITOR},
        "ask_agreement": {"type": "boolean"},
        "reaudit_of_id": {"type": "integer"},
        "organisation_id": {"type": "integer", "description": "contrôle par le sous-traitant"},
    },
}


def _obj(**properties) -> dict:
    return {"type": "object", "properties": {**properties, **_VERSION}}


_S = {"type": "string"}
_B = {"type": "boolean"}


def _post(summary: str, body: dict | None = None, params=(_AUDIT,), ok="200") -> dict:
    return {"post": _op(summary, tag=TAG, params=list(params), body=body or _obj(), ok=ok)}


PATHS.update(
    {
        "/api/v1/audits": {
            "get": _op(
                "Audits visibles",
                tag=TAG,
                params=[_query("state"), _query("page", "integer"), _query("per_page", "integer")],
            ),
            "post": _op(
                "Annoncer un audit (DPO de la collectivité)", tag=TAG, body=_REQUEST, ok="201"
            ),
        },
        "/api/v1/audits/check": _post(
            "Contrôler un projet de préavis sans l'enregistrer : violations et dates", _REQUEST, ()
        ),
        "/api/v1/audits/{audit_id}": {
            "get": _op("Un audit et ses délais", tag=TAG, params=[_AUDIT])
        },
        "/api/v1/audits/{audit_id}/accept": _post("Accepter l'audit (DPO du sous-traitant)"),
        "/api/v1/audits/{audit_id}/refuse": _post(
            "Refuser l'auditeur dans le délai, avec un motif", _obj(reason=_S, proposed_firm=_S)
        ),
        "/api/v1/audits/{audit_id}/agreement": _post(
            "Accord (ou non) du sous-traitant pour un audit supplémentaire", _obj(accept=_B)
        ),
        "/api/v1/audits/{audit_id}/firm": _post(
            "La collectivité accepte ou décline le cabinet proposé", _obj(accept=_B)
        ),
        "/api/v1/audits/{audit_id}/cancel": _post("Annuler la demande (collectivité)"),
        "/api/v1/audits/{audit_id}/start": _post("Commencer l'audit"),
        "/api/v1/audits/{audit_id}/report": _post("Déposer le rapport d'audit", _FILE),
        "/api/v1/audits/{audit_id}/observations": _post(
            "Envoyer les observations du sous-traitant", _obj(text=_S)
        ),
        "/api/v1/audits/{audit_id}/contest": _post("Contester le rapport", _obj(text=_S)),
        "/api/v1/audits/{audit_id}/corrective-plan": _post("Ouvrir le plan de mesures correctives"),
        "/api/v1/audits/{audit_id}/close": _post("Clore l'audit"),
        "/api/v1/audits/{audit_id}/measures": _post(
            "Ajouter une mesure corrective",
            {
                "type": "object",
                "required": ["description", "owner"],
                "properties": {"description": _S, "owner": _S, "due_on": {**_S, "format": "date"}},
            },
            ok="201",
        ),
        "/api/v1/audits/{audit_id}/measures/{measure_id}/status": _post(
            "Changer le statut d'une mesure (open, done)",
            {"type": "object", "properties": {"status": {"enum": ["open", "done"]}}},
            params=(_AUDIT, _path_id("measure_id")),
        ),
        "/api/v1/audits/{audit_id}/time": {
            "get": _op("Temps passé par le sous-traitant", tag=TAG, params=[_AUDIT]),
            **_post(
                "Saisir du temps passé (facturable)",
                {
                    "type": "object",
                    "required": ["worked_on", "minutes", "description"],
                    "properties": {
                        "worked_on": {**_S, "format": "date"},
                        "minutes": {"type": "integer"},
                        "description": _S,
                    },
                },
                ok="201",
            ),
        },
        "/api/v1/audits/{audit_id}/billing": {
            "get": _op(
                "Relevé du temps passé (CSV ou PDF)", tag=TAG, params=[_AUDIT, _query("format")]
            ),
        },
        "/api/v1/audits/{audit_id}/documents/{document_id}": {
            "get": _op(
                "Télécharger un document de l'audit",
                tag=TAG,
                params=[_AUDIT, _path_id("document_id")],
            ),
        },
        "/api/v1/audits/{audit_id}/auditors/{auditor_id}/password": _post(
            "Nouveau mot de passe d'un compte d'auditeur, affiché une fois",
            params=(_AUDIT, _path_id("auditor_id")),
        ),
    }
)
