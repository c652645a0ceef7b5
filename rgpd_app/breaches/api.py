"""JSON API /api/v1/breaches: the same Input schemas and services as the pages."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.apidoc import PAGING, Page, Param, operation
from rgpd_app.breaches import access, rules, services
from rgpd_app.breaches.schemas import (
    AcknowledgementInput,
    BreachActivitiesInput,
    BreachActivitiesSchema,
    BreachDecisionInput,
    BreachDecisionSchema,
    BreachDetailSchema,
    BreachInput,
    BreachMunicipalityInput,
    BreachNoticeSchema,
    BreachRegisterRowSchema,
    BreachSchema,
    BreachSummarySchema,
    BreachUpdateInput,
    BreachUpdateSchema,
    CnilFormSchema,
    CnilNotificationInput,
    CnilNotificationSchema,
    LetterInput,
)
from rgpd_app.validation import id_value, load

bp = api_blueprint("breaches_api", __name__, "/breaches")
TAG = "violations"
_INSTANTS = (
    "Instants : ISO 8601 avec décalage, ou heure de Paris sans décalage (une heure ambiguë ou "
    "inexistante au changement d'heure est refusée avec les décalages possibles)."
)
_BREACH_EXAMPLE = {
    "started_at": "2026-03-01T23:00+01:00",
    "is_ongoing": True,
    "aware_at": "2026-03-02T08:30",
    "discovery": "Signalement d'un usager",
    "description": "Courriels envoyés au mauvais destinataire",
    "natures": ["confidentiality"],
    "cause": "internal_accidental",
    "data_categories": ["Coordonnées"],
    "person_categories": ["Agents"],
    "contact_point": "RSSI, 01 23 45 67 89",
    "organisation_ids": [2],
}


def _body():
    return request.get_json(silent=True)


def _notice(notice) -> dict:
    data = BreachNoticeSchema().dump(notice)
    data["hours_left"] = rules.hours_left(notice.authority_deadline_at, clock.now())
    return data


def _breach(breach) -> dict:
    data = BreachSchema().dump(breach)
    data["notices"] = [_notice(n) for n in breach.notices]
    return data


def _page(result, items) -> dict:
    return {"items": items, "total": result.total, "page": result.page, "per_page": result.per_page}


@bp.get("")
@operation(
    "Violations (équipe sécurité, DPO du sous-traitant)",
    tag=TAG,
    query=PAGING,
    response=Page(BreachSummarySchema),
)
def index():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    result = services.list_breaches(
        actor=api_actor(), now=clock.now(), page=page, per_page=per_page
    )
    return _page(result, BreachSummarySchema(many=True).dump(result.items))


@bp.post("")
@operation(
    "Enregistrer une violation ; alerte immédiate de l'équipe sécurité",
    tag=TAG,
    description="Les collectivités concernées sont `organisation_ids`, ou à défaut celles des "
    "traitements `activity_ids`. " + _INSTANTS,
    body=BreachInput,
    example=_BREACH_EXAMPLE,
    response=BreachDetailSchema,
    status=201,
)
def create():
    access.require_step(api_actor(), "record")
    data = load(BreachInput(), _body())
    breach = services.record_breach(data, actor=api_actor(), now=clock.now())
    return _breach(breach), 201


@bp.get("/<int:breach_id>")
@operation(
    "Une violation, ses mises à jour et ses notifications (lecture journalisée)",
    tag=TAG,
    response=BreachDetailSchema,
)
def detail(breach_id: int):
    breach = services.get_breach(breach_id, actor=api_actor(), now=clock.now())
    return _breach(breach)


@bp.post("/<int:breach_id>/updates")
@operation(
    "Mise à jour datée (art. 33(4)) : les faits modifiés et leur résumé",
    tag=TAG,
    description="Seuls les faits envoyés changent ; les collectivités déjà informées reçoivent "
    "la mise à jour. " + _INSTANTS,
    body=BreachUpdateInput,
    example={"summary": "Fin de l'incident", "is_ongoing": False, "ended_at": "2026-03-02T09:00"},
    response=BreachUpdateSchema,
    status=201,
)
def add_update(breach_id: int):
    access.require_step(api_actor(), "record")
    data = load(BreachUpdateInput(), _body())
    update = services.update_breach(breach_id, data, actor=api_actor(), now=clock.now())
    return BreachUpdateSchema().dump(update), 201


@bp.post("/<int:breach_id>/municipalities")
@operation(
    "Ajouter une collectivité concernée ou corriger ses nombres",
    tag=TAG,
    body=BreachMunicipalityInput,
    example={"organisation_id": 2, "persons_count": 120, "records_count": 300},
    response=BreachNoticeSchema,
)
def set_municipality(breach_id: int):
    access.require_step(api_actor(), "record")
    data = load(BreachMunicipalityInput(), _body())
    notice = services.set_municipality(breach_id, data, actor=api_actor(), now=clock.now())
    return _notice(notice)


@bp.delete("/<int:breach_id>/municipalities/<int:organisation_id>")
@operation(
    "Retirer une collectivité non encore informée (la dernière reste)",
    tag=TAG,
)
def remove_municipality(breach_id: int, organisation_id: int):
    services.remove_municipality(breach_id, organisation_id, actor=api_actor(), now=clock.now())
    return "", 204


@bp.put("/<int:breach_id>/activities")
@operation(
    "Traitements concernés ; renvoie les collectivités qu'ils suggèrent (non appliquées)",
    tag=TAG,
    body=BreachActivitiesInput,
    example={"activity_ids": [1]},
    response=BreachActivitiesSchema,
)
def set_activities(breach_id: int):
    access.require_step(api_actor(), "record")
    data = load(BreachActivitiesInput(), _body())
    suggested = services.link_activities(breach_id, data, actor=api_actor(), now=clock.now())
    return BreachActivitiesSchema().dump(
        {"activity_ids": sorted(set(data["activity_ids"])), "suggested_organisation_ids": suggested}
    )


@bp.get("/notices")
@operation(
    "Notifications aux collectivités et leurs délais, le plus urgent d'abord",
    tag=TAG,
    query=(Param("breach_id", "integer", "Celles d'une violation", minimum=0), *PAGING),
    response=Page(BreachNoticeSchema),
)
def notices():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    breach_id = request.args.get("breach_id", "")
    result = services.list_notices(
        actor=api_actor(),
        now=clock.now(),
        breach_id=id_value(breach_id),
        page=page,
        per_page=per_page,
    )
    return _page(result, [_notice(n) for n in result.items])


@bp.get("/notices/<int:notice_id>")
@operation(
    "Une notification et son délai (lecture journalisée)", tag=TAG, response=BreachNoticeSchema
)
def notice(notice_id: int):
    return _notice(services.get_notice(notice_id, actor=api_actor(), now=clock.now()))


@bp.post("/notices/<int:notice_id>/confirm")
@operation(
    "Envoyer la notification ; son délai démarre à l'acceptation du courriel",
    tag=TAG,
    description="Refusée (400) si la collectivité n'a ni adresse ni compte de DPO ; "
    "409 si elle a déjà été informée.",
    response=BreachNoticeSchema,
)
def confirm(notice_id: int):
    return _notice(services.confirm_notice(notice_id, actor=api_actor(), now=clock.now()))


@bp.post("/notices/<int:notice_id>/acknowledgement")
@operation(
    "Enregistrer l'instant de réception par la collectivité (le délai part de la première preuve)",
    tag=TAG,
    description=_INSTANTS,
    body=AcknowledgementInput,
    example={"acknowledged_at": "2026-03-02T10:15"},
    response=BreachNoticeSchema,
)
def acknowledgement(notice_id: int):
    access.require_step(api_actor(), "acknowledgement")
    data = load(AcknowledgementInput(), _body())
    notice = services.record_acknowledgement(notice_id, data, actor=api_actor(), now=clock.now())
    return _notice(notice)


@bp.post("/notices/<int:notice_id>/letter")
@operation(
    "Courrier recommandé avec AR : envoi, numéro de suivi, accusé de réception",
    tag=TAG,
    body=LetterInput,
    example={"sent_on": "2026-03-02", "tracking_number": "1A 001 122 3344 5"},
    response=BreachNoticeSchema,
)
def letter(notice_id: int):
    access.require_step(api_actor(), "letter")
    data = load(LetterInput(), _body())
    return _notice(services.record_letter(notice_id, data, actor=api_actor(), now=clock.now()))


@bp.post("/notices/<int:notice_id>/decision")
@operation(
    "Décision de la collectivité : risque, information des personnes (art. 34)",
    tag=TAG,
    body=BreachDecisionInput,
    example={
        "risk_level": "high",
        "risk_reasoning": "Adresses et numéros de téléphone exposés",
        "persons_information": "pending",
    },
    response=BreachDecisionSchema,
)
def decision(notice_id: int):
    access.require_step(api_actor(), "decision")
    data = load(BreachDecisionInput(), _body())
    result = services.record_decision(notice_id, data, actor=api_actor(), now=clock.now())
    return BreachDecisionSchema().dump(result)


@bp.post("/notices/<int:notice_id>/cnil-notifications")
@operation(
    "Notification à la CNIL : initiale puis complémentaires ; motifs du retard si tardive",
    tag=TAG,
    description=_INSTANTS,
    body=CnilNotificationInput,
    example={"kind": "initial", "notified_at": "2026-03-03T16:00", "cnil_reference": "ABC-123"},
    response=CnilNotificationSchema,
    status=201,
)
def cnil_notification(notice_id: int):
    access.require_step(api_actor(), "cnil")
    data = load(CnilNotificationInput(), _body())
    item = services.record_cnil_notification(notice_id, data, actor=api_actor(), now=clock.now())
    return CnilNotificationSchema().dump(item), 201


@bp.get("/notices/<int:notice_id>/cnil-form")
@operation(
    "Contenu préparé de la notification à la CNIL, dans les sections de son formulaire",
    tag=TAG,
    response=CnilFormSchema,
)
def cnil_form(notice_id: int):
    return CnilFormSchema().dump(services.cnil_form(notice_id, actor=api_actor(), now=clock.now()))


@bp.get("/register")
@operation(
    "Registre des violations (art. 33(5)) : une ligne par violation et collectivité",
    tag=TAG,
    query=PAGING,
    response=Page(BreachRegisterRowSchema),
)
def register():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    result = services.register_page(
        actor=api_actor(), now=clock.now(), page=page, per_page=per_page
    )
    return _page(result, BreachRegisterRowSchema(many=True).dump(result.items))
