"""JSON API under /api/v1/requests: the same Input schemas and services as the pages."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Binary, Page, Param, operation
from rgpd_app.exports import FORMATS, MIMETYPES, export_response
from rgpd_app.requests import access, billing, rules, services
from rgpd_app.requests.schemas import (
    AssistanceBillingRowSchema,
    AssistanceExtensionInput,
    AssistanceInput,
    AssistanceOutcomeInput,
    AssistanceTimeInput,
    AssistanceTimeSchema,
    ControllerExtensionInput,
    RequestDetailSchema,
    RequestIdentitySchema,
    RequestListQuery,
    RequestSummarySchema,
    SubjectRequestInput,
    request_dict,
)
from rgpd_app.validation import load

bp = api_blueprint("requests_api", __name__, "/requests")
TAG = "demandes"
_NEED_ASSISTANCE = "409 si aucune assistance n'a été demandée ou si elle est terminée."


def _body() -> dict:
    return request.get_json(silent=True) or {}


def _dump(item) -> dict:
    return request_dict(item, services.clocks_for(item))


@bp.get("")
@operation(
    "Demandes visibles (sans l'identité des demandeurs)",
    tag=TAG,
    query=RequestListQuery,
    response=Page(RequestSummarySchema),
)
def index():
    query = load(RequestListQuery(), request.args)
    page, per_page = min(query.pop("page"), 10**6), min(query.pop("per_page"), 200)
    found = services.list_requests(
        actor=api_actor(), now=clock.now(), filters=query, page=page, per_page=per_page
    )
    return {
        "items": RequestSummarySchema(many=True).dump(found.items),
        "total": found.total,
        "page": page,
        "per_page": per_page,
    }


@bp.post("")
@operation(
    "Enregistrer une demande reçue par le sous-traitant ; elle est transmise aussitôt",
    tag=TAG,
    description="Instant de réception : ISO 8601, heure de Paris sans décalage ; maintenant "
    "s'il est omis.",
    body=SubjectRequestInput,
    example={
        "organisation_id": 2,
        "kind": "access",
        "channel": "email",
        "received_at": "2026-03-02T09:30",
        "requester_identity": "Jeanne Martin, 3 rue des Lilas",
        "details": "Demande la copie de ses données de cantine",
    },
    response=RequestDetailSchema,
    status=201,
)
def create():
    access.require_processor(api_actor(), rules.RECORDERS)  # a refused role: 403 before any 400
    data = load(SubjectRequestInput(), request.get_json(silent=True))
    return _dump(services.recording.record_request(data, actor=api_actor(), now=clock.now())), 201


@bp.post("/assistance")
@operation(
    "Demander l'assistance du sous-traitant (DPO de la collectivité)",
    tag=TAG,
    description="Sur une demande transmise (`request_id`) ou sur une demande reçue par la "
    "collectivité (`kind`, `requester_identity` et `controller_received_on` alors "
    "obligatoires). 404 si `request_id` n'est pas une demande visible ; 409 si une assistance "
    "a déjà été demandée ou si la demande est close.",
    body=AssistanceInput,
    example={
        "kind": "erasure",
        "requester_identity": "Paul Durand",
        "controller_received_on": "2026-03-02",
        "question": "Effacer ses données du portail famille",
    },
    response=RequestDetailSchema,
    status=201,
    errors=(404,),
)
def ask():
    access.require_municipality(api_actor(), rules.ASKERS)  # a refused role: 403 before any 400
    data = load(AssistanceInput(), request.get_json(silent=True))
    return _dump(services.recording.ask_assistance(data, actor=api_actor(), now=clock.now())), 201


@bp.get("/<int:request_id>")
@operation(
    "Une demande et ses deux délais (assistance, réponse de la collectivité)",
    tag=TAG,
    response=RequestDetailSchema,
)
def detail(request_id: int):
    return _dump(services.read_request(request_id, actor=api_actor(), now=clock.now()))


@bp.get("/<int:request_id>/identity")
@operation(
    "Identité du demandeur et teneur de la demande (les deux DPO seulement, lecture journalisée)",
    tag=TAG,
    response=RequestIdentitySchema,
)
def identity(request_id: int):
    values = services.recording.read_identity(request_id, actor=api_actor(), now=clock.now())
    return RequestIdentitySchema().dump(values)


@bp.post("/<int:request_id>/extend")
@operation(
    "Prolonger une fois le délai d'assistance, avant sa fin, avec un motif du contrat",
    tag=TAG,
    description=_NEED_ASSISTANCE,
    body=AssistanceExtensionInput,
    example={"reason": "complexity", "note": "Extraction de trois applications"},
    response=RequestDetailSchema,
)
def extend(request_id: int):
    data = load(AssistanceExtensionInput(), _body())
    return _dump(services.assistance.extend(request_id, data, actor=api_actor(), now=clock.now()))


@bp.post("/<int:request_id>/time")
@operation(
    "Saisir du temps passé (facturable), une fois passé",
    tag=TAG,
    description="409 si aucune assistance n'a été demandée.",
    body=AssistanceTimeInput,
    example={"worked_on": "2026-03-02", "minutes": 45, "description": "Extraction des données"},
    response=AssistanceTimeSchema,
    status=201,
)
def log_time(request_id: int):
    data = load(AssistanceTimeInput(), _body())
    entry = services.assistance.log_time(request_id, data, actor=api_actor(), now=clock.now())
    return AssistanceTimeSchema().dump(entry), 201


@bp.post("/<int:request_id>/outcome")
@operation(
    "Terminer l'assistance avec son résultat",
    tag=TAG,
    description=_NEED_ASSISTANCE,
    body=AssistanceOutcomeInput,
    example={"outcome": "extracted", "details": "Export transmis au DPO de la collectivité"},
    response=RequestDetailSchema,
)
def outcome(request_id: int):
    data = load(AssistanceOutcomeInput(), _body())
    return _dump(services.assistance.close(request_id, data, actor=api_actor(), now=clock.now()))


@bp.post("/<int:request_id>/controller-extension")
@operation(
    "La collectivité prolonge son délai de réponse de deux mois (art. 12(3) RGPD)",
    tag=TAG,
    description="Une fois, avant la fin du premier mois (409 sinon).",
    body=ControllerExtensionInput,
    example={"reason": "Demandes nombreuses du même foyer"},
    response=RequestDetailSchema,
)
def controller_extension(request_id: int):
    data = load(ControllerExtensionInput(), _body())
    item = services.recording.extend_controller_deadline(
        request_id, data, actor=api_actor(), now=clock.now()
    )
    return _dump(item)


@bp.post("/<int:request_id>/close")
@operation(
    "Clore la demande (après le résultat de l'assistance) ; l'effacement de l'identité est daté",
    tag=TAG,
    response=RequestDetailSchema,
)
def close(request_id: int):
    return _dump(services.recording.close_request(request_id, actor=api_actor(), now=clock.now()))


@bp.get("/<int:request_id>/billing")
@operation(
    "Relevé du temps passé (les deux DPO ; export journalisé)",
    tag=TAG,
    query=(Param("format", description="json par défaut", enum=FORMATS),),
    response=Binary(
        tuple(MIMETYPES[f] for f in FORMATS if f != "json"),
        "Le relevé",
        json={"type": "array", "items": AssistanceBillingRowSchema},
    ),
)
def billing_export(request_id: int):
    fmt = request.args.get("format", "json")
    item, rows = billing.statement(request_id, actor=api_actor(), now=clock.now(), fmt=fmt)
    return export_response(
        fmt,
        rows=rows,
        columns=billing.COLUMNS,
        filename=f"assistance-{item.reference}",
        title=f"Temps passé — demande {item.reference}",
    )
