"""The hand-written OpenAPI paths not yet generated from their views (rgpd_app.openapi_build):
what remains here goes as each domain's views get their @operation marks."""

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, *, params=(), body=None, ok="200", tag="", accepted="") -> dict:
    op = {
        "summary": summary,
        "tags": [tag] if tag else [],
        "parameters": list(params),
        "responses": {
            ok: {
                "description": "OK",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "400": {
                "description": "Données invalides",
                "content": {"application/json": {"schema": ERROR}},
            },
            "401": {"description": "Jeton manquant ou invalide"},
            "403": {"description": "Rôle insuffisant"},
            "404": {"description": "Introuvable (ou d'une autre collectivité)"},
        },
    }
    if accepted:  # a long task queued for the worker
        op["responses"]["202"] = {
            "description": accepted,
            "headers": {"Location": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _path_text(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, kind: str = "string", required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


_PAGE = [_query("page", "integer"), _query("per_page", "integer")]
# The list page's filters (register/api.py, filters_from), shared by the list and its exports.
_REGISTER_FILTERS = [
    _query("q"),
    _query("controller_id", "integer"),
    _query("status"),
    _query("special", "boolean"),
    _query("transfers", "boolean"),
    _query("pending_consent", "boolean"),
]

PATHS: dict[str, dict] = {
    "/api/v1/deadlines": {
        "get": _op(
            "Calculer l'échéance d'un délai du contrat, avec son explication",
            tag="délais",
            params=[
                _query("clock", required=True),
                _query("start", required=True),
                _query("calendar"),
                _query("length", "integer"),
                _query("organisation_id", "integer"),
            ],
        ),
    },
    "/api/v1/echeances": {
        "get": _op("Mes échéances : délais en cours, les plus urgents d'abord", tag="délais"),
    },
    "/api/v1/journal": {
        "get": _op(
            "Journal des accès et opérations",
            tag="journal",
            params=[
                _query("action"),
                _query("user"),
                _query("organisation_id", "integer"),
                _query("since"),
                _query("until"),
                _query("page", "integer"),
            ],
        ),
    },
    "/api/v1/notifications": {
        "get": _op(
            "Messages sortants non envoyés ou en échec (administrateur)",
            tag="notifications",
            params=[_query("state"), _query("page", "integer")],
        ),
    },
    "/api/v1/processings": {
        "get": _op(
            "Registre des traitements visibles (filtres et pages)",
            tag="registre",
            params=[*_REGISTER_FILTERS, *_PAGE],
        ),
        "post": _op(
            "Créer un traitement (DPO du sous-traitant ; DPO de la collectivité pour la sienne)",
            tag="registre",
            ok="201",
            body={"$ref": "#/components/schemas/ProcessingInput"},
        ),
    },
    "/api/v1/processings/export": {
        "get": _op(
            "Exporter le registre (CSV, XLSX, ODS, JSON, PDF) : liste filtrée, "
            "registre art. 30(2) (`register=processor`) ou art. 30(1) d'une collectivité "
            "(`register=controller`) ; chaque export est journalisé. Un long export XLSX, ODS "
            "ou PDF est confié au worker : réponse 202, à suivre sur /api/v1/exports/{id}",
            tag="registre",
            params=[_query("format", required=True), _query("register"), *_REGISTER_FILTERS],
            accepted="Export confié au worker ; en-tête Location : son état",
        ),
    },
    "/api/v1/exports": {
        "get": _op("Les exports longs demandés par l'utilisateur du jeton", tag="exports"),
    },
    "/api/v1/exports/{public_id}": {
        "get": _op(
            "Un export long : état, avancement, empreinte SHA-256 et adresse du fichier",
            tag="exports",
            params=[_path_text("public_id")],
        ),
    },
    "/api/v1/evidence-packs": {
        "post": _op(
            "Demander le paquet de preuves signé d'une collectivité pour une période ; construit "
            "par le worker (202, à suivre sur /api/v1/exports/{id}) ; la réponse donne une seule "
            "fois le mot de passe du paquet",
            tag="preuves",
            body={
                "type": "object",
                "properties": {
                    "controller_id": {"type": "integer"},
                    "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"},
                },
            },
            accepted="Paquet confié au worker ; en-tête Location : son état",
        ),
    },
    "/api/v1/evidence-packs/verify": {
        "post": _op(
            "Vérifier un paquet (corps : le zip ; en-tête X-Pack-Password) : archive, fichiers, "
            "signature, chaîne du journal",
            tag="preuves",
        ),
    },
    "/api/v1/exports/{public_id}/file": {
        "get": _op(
            "Le fichier d'un export long terminé (téléchargement journalisé)",
            tag="exports",
            params=[_path_text("public_id")],
        ),
    },
    "/api/v1/processings/{activity_id}": {
        "get": _op(
            "Un traitement, sa complétude et ses problèmes",
            tag="registre",
            params=[_path_id("activity_id")],
        ),
        "patch": _op(
            "Modifier un traitement : champs présents seulement, avec la `version` lue "
            "(409 si elle n'est plus la dernière)",
            tag="registre",
            params=[_path_id("activity_id")],
            body={"$ref": "#/components/schemas/ProcessingInput"},
        ),
    },
    "/api/v1/processings/{activity_id}/status": {
        "post": _op(
            "Valider ou archiver (DPO du sous-traitant) : {status: validated|archived, version}",
            tag="registre",
            params=[_path_id("activity_id")],
            body={
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {"enum": ["validated", "archived"]},
                    "version": {"type": "integer"},
                },
            },
        ),
    },
    "/api/v1/processings/{activity_id}/copies": {
        "post": _op(
            "Copier un traitement type vers plusieurs collectivités (DPO du sous-traitant)",
            tag="registre",
            ok="201",
            accepted="Au-delà de RGPD_COPY_INLINE_MAX collectivités, la copie est confiée au "
            "worker (202, à suivre sur /api/v1/exports/{id}) ; son fichier rend compte de "
            "chaque copie.",
            params=[_path_id("activity_id")],
            body={
                "type": "object",
                "required": ["controller_ids"],
                "properties": {"controller_ids": {"type": "array", "items": {"type": "integer"}}},
            },
        ),
    },
    "/api/v1/processings/{activity_id}/history": {
        "get": _op(
            "Versions du traitement (qui, quand, quoi) ; avec `on=AAAA-MM-JJ`, l'état à cette date",
            tag="registre",
            params=[_path_id("activity_id"), _query("on"), *_PAGE],
        ),
    },
}

# Breaches (issue #7): instants are ISO 8601 with an offset, or Europe/Paris wall time.
_BREACH_FACTS = {
    "type": "object",
    "properties": {
        **{k: {"type": "string", "format": "date-time"} for k in ("started_at", "aware_at")},
        "ended_at": {"type": ["string", "null"], "format": "date-time"},
        "is_ongoing": {"type": "boolean"},
        "natures": {
            "type": "array",
            "items": {"enum": ["confidentiality", "integrity", "availability"]},
        },
        "cause": {
            "enum": [
                "internal_malicious",
                "internal_accidental",
                "external_malicious",
                "external_accidental",
                "unknown",
            ]
        },
        **{
            k: {"type": "string"}
            for k in (
                "discovery",
                "description",
                "origin",
                "consequences",
                "measures_taken",
                "measures_planned",
                "prior_measures",
                "contact_point",
                "summary",
            )
        },
        **{
            k: {"type": "array", "items": {"type": "string"}}
            for k in ("data_categories", "person_categories")
        },
        **{k: {"type": ["integer", "null"]} for k in ("persons_count", "records_count")},
        **{
            k: {"type": "array", "items": {"type": "integer"}}
            for k in ("organisation_ids", "activity_ids")
        },
    },
}
_NOTICE = [_path_id("notice_id")]
_BREACH = [_path_id("breach_id")]
PATHS.update(
    {
        "/api/v1/breaches": {
            "get": _op(
                "Violations (sécurité, DPO du sous-traitant)", tag="violations", params=_PAGE
            ),
            "post": _op(
                "Enregistrer une violation ; alerte immédiate de l'équipe sécurité",
                tag="violations",
                ok="201",
                body=_BREACH_FACTS,
            ),
        },
        "/api/v1/breaches/{breach_id}": {
            "get": _op(
                "Une violation, ses mises à jour et ses notifications",
                tag="violations",
                params=_BREACH,
            ),
        },
        "/api/v1/breaches/{breach_id}/updates": {
            "post": _op(
                "Mise à jour datée (art. 33(4)) : faits modifiés et `summary` obligatoire",
                tag="violations",
                ok="201",
                params=_BREACH,
                body=_BREACH_FACTS,
            ),
        },
        "/api/v1/breaches/{breach_id}/municipalities": {
            "post": _op(
                "Ajouter une collectivité concernée ou corriger ses nombres",
                tag="violations",
                params=_BREACH,
                body={
                    "type": "object",
                    "required": ["organisation_id"],
                    "properties": {
                        "organisation_id": {"type": "integer"},
                        "persons_count": {"type": ["integer", "null"]},
                        "records_count": {"type": ["integer", "null"]},
                    },
                },
            ),
        },
        "/api/v1/breaches/{breach_id}/municipalities/{organisation_id}": {
            "delete": _op(
                "Retirer une collectivité non encore informée",
                tag="violations",
                ok="204",
                params=[*_BREACH, _path_id("organisation_id")],
            ),
        },
        "/api/v1/breaches/{breach_id}/activities": {
            "put": _op(
                "Traitements concernés ; renvoie les collectivités suggérées",
                tag="violations",
                params=_BREACH,
                body={
                    "type": "object",
                    "properties": {"activity_ids": {"type": "array", "items": {"type": "integer"}}},
                },
            ),
        },
        "/api/v1/breaches/notices": {
            "get": _op(
                "Notifications : aware_at, notified_at, authority_deadline_at, hours_left",
                tag="violations",
                params=[_query("breach_id", "integer"), *_PAGE],
            ),
        },
        "/api/v1/breaches/notices/{notice_id}": {
            "get": _op("Une notification et son délai", tag="violations", params=_NOTICE),
        },
        "/api/v1/breaches/notices/{notice_id}/confirm": {
            "post": _op(
                "Envoyer la notification ; le délai démarre à l'acceptation du courriel",
                tag="violations",
                params=_NOTICE,
            ),
        },
        "/api/v1/breaches/notices/{notice_id}/acknowledgement": {
            "post": _op(
                "Enregistrer l'instant de réception par la collectivité",
                tag="violations",
                params=_NOTICE,
                body={
                    "type": "object",
                    "required": ["acknowledged_at"],
                    "properties": {"acknowledged_at": {"type": "string"}},
                },
            ),
        },
        "/api/v1/breaches/notices/{notice_id}/letter": {
            "post": _op(
                "Courrier recommandé avec AR : envoi, numéro de suivi, accusé de réception",
                tag="violations",
                params=_NOTICE,
                body={
                    "type": "object",
                    "required": ["sent_on", "tracking_number"],
                    "properties": {
                        "sent_on": {"type": "string", "format": "date"},
                        "tracking_number": {"type": "string"},
                        "acknowledged_on": {"type": ["string", "null"], "format": "date"},
                    },
                },
            ),
        },
        "/api/v1/breaches/notices/{notice_id}/decision": {
            "post": _op(
                "Décision de la collectivité : risque, information des personnes (art. 34)",
                tag="violations",
                params=_NOTICE,
                body={
                    "type": "object",
                    "required": ["risk_level", "risk_reasoning", "persons_information"],
                    "properties": {
                        "risk_level": {"enum": ["none", "risk", "high"]},
                        "risk_reasoning": {"type": "string"},
                        "persons_information": {
                            "enum": ["pending", "informed", "exempted", "not_required"]
                        },
                        "persons_informed_on": {"type": ["string", "null"], "format": "date"},
                        "persons_information_means": {"type": "string"},
                        "exemption": {
                            "enum": [
                                "",
                                "encryption",
                                "risk_no_longer_likely",
                                "disproportionate_effort",
                            ]
                        },
                        "public_communication": {"type": "string"},
                    },
                },
            ),
        },
        "/api/v1/breaches/notices/{notice_id}/cnil-notifications": {
            "post": _op(
                "Notification à la CNIL : initiale puis complémentaires ; motifs si tardive",
                tag="violations",
                ok="201",
                params=_NOTICE,
                body={
                    "type": "object",
                    "required": ["kind", "notified_at"],
                    "properties": {
                        "kind": {"enum": ["initial", "complementary"]},
                        "notified_at": {"type": "string", "format": "date-time"},
                        "cnil_reference": {"type": "string"},
                        "delay_reason": {"type": "string"},
                    },
                },
            ),
        },
        "/api/v1/breaches/notices/{notice_id}/cnil-form": {
            "get": _op(
                "Contenu préparé de la notification à la CNIL (sections du formulaire)",
                tag="violations",
                params=_NOTICE,
            ),
        },
        "/api/v1/breaches/register": {
            "get": _op("Registre des violations (art. 33(5))", tag="violations", params=_PAGE),
        },
    }
)

COMPONENTS = {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
        "ProcessingInput": {
            "type": "object",
            "description": "Création : controller_id et name obligatoires. Modification : "
            "version obligatoire, les champs absents restent inchangés.",
            "properties": {
                "controller_id": {"type": "integer"},
                "version": {"type": "integer"},
                "name": {"type": "string"},
                "description": {"type": "string"},
                "operations": {"type": "array", "items": {"type": "string"}},
                "operations_detail": {"type": "string"},
                "subprocessor_ids": {"type": "array", "items": {"type": "integer"}},
                "measures": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "family": {"type": "string"},
                            "description": {"type": "string"},
                        },
                    },
                },
                "security_notes": {"type": "string"},
                "purposes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "label": {"type": "string"},
                            "instruction_id": {"type": "integer"},
                        },
                    },
                },
                "legal_bases": {"type": "array", "items": {"type": "string"}},
                "data_subjects": {"type": "array", "items": {"type": "string"}},
                "data_categories": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "label": {"type": "string"},
                            "purpose": {"type": "string"},
                            "retention_value": {"type": "integer"},
                            "retention_unit": {"enum": ["months", "years"]},
                            "retention_criterion": {"type": "string"},
                            "is_special": {"type": "boolean"},
                            "is_criminal": {"type": "boolean"},
                        },
                    },
                },
                "recipients": {"type": "array", "items": {"type": "string"}},
                "estimated_persons": {"type": "integer"},
                "transfers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "country": {"type": "string"},
                            "recipient": {"type": "string"},
                            "safeguard": {"enum": ["adequacy", "sccs", "bcrs", "art49"]},
                            "safeguard_documentation": {"type": "string"},
                            "consent_by": {"type": "string"},
                            "consent_on": {"type": "string", "format": "date"},
                            "consent_reference": {"type": "string"},
                        },
                    },
                },
            },
        },
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
        },
    },
}
