"""JSON API of the change notices (/api/v1/subprocessor-notices)."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.apidoc import PAGING, Page, Param, operation
from rgpd_app.foundation import roles
from rgpd_app.foundation.tenancy import require
from rgpd_app.paging import Page as ResultPage
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.api import page_of
from rgpd_app.subprocessors.notices.schemas import (
    ApprovalInput,
    NoticeRecipientSchema,
    ObjectionInput,
    ObjectionOutcomeInput,
    ReceiptInput,
    SubprocessorNoticeInput,
    SubprocessorNoticeSchema,
)
from rgpd_app.validation import load

bp = api_blueprint("subprocessor_notices_api", __name__, "/subprocessor-notices")
TAG = "sous-traitants"
_NOTICE_EXAMPLE = {
    "kind": "addition",
    "subprocessor_id": 1,
    "activities": ["hosting"],
    "contract_start_on": "2026-06-01",
    "scope": "activity",
    "details": "Nouvel hébergeur des sauvegardes",
}
_RECIPIENT_PAGING = (
    Param("page", "integer", "Numéro de page (1 par défaut)", minimum=1),
    Param("per_page", "integer", "Éléments par page (100 par défaut, 500 au plus)", minimum=1),
)


def _body(schema) -> dict:
    return load(schema, request.get_json(silent=True))


@bp.get("")
@operation(
    "Notifications de changement : toutes pour le DPO du sous-traitant, les reçues sinon",
    tag=TAG,
    query=PAGING,
    response=Page(SubprocessorNoticeSchema),
)
def index():
    result = services.notices.list_notices(
        actor=api_actor(),
        now=clock.now(),
        page=int_arg("page", 1, 10**6),
        per_page=int_arg("per_page", 50, 200),
    )
    return page_of(result, SubprocessorNoticeSchema(many=True))


@bp.post("")
@operation(
    "Préparer une notification (brouillon, DPO du sous-traitant)",
    tag=TAG,
    description="Un brouillon peut être incomplet, sauf sa nature (`kind`) ; l'envoi exige tous "
    "les éléments de l'annexe 4.4.",
    body=SubprocessorNoticeInput,
    example=_NOTICE_EXAMPLE,
    response=SubprocessorNoticeSchema,
    status=201,
    errors=(404,),
)
def create():
    services.notices.require_processor_dpo(api_actor())  # a refused role: 403 before any 400
    notice = services.notices.create_notice(
        _body(SubprocessorNoticeInput()), actor=api_actor(), now=clock.now()
    )
    return SubprocessorNoticeSchema().dump(notice), 201


@bp.get("/<int:notice_id>")
@operation("Une notification", tag=TAG, response=SubprocessorNoticeSchema)
def detail(notice_id: int):
    return SubprocessorNoticeSchema().dump(
        services.notices.get_notice(notice_id, actor=api_actor())
    )


@bp.put("/<int:notice_id>")
@operation(
    "Modifier un brouillon (409 une fois envoyé)",
    tag=TAG,
    body=SubprocessorNoticeInput,
    example=_NOTICE_EXAMPLE,
    response=SubprocessorNoticeSchema,
)
def update(notice_id: int):
    services.notices.require_processor_dpo(api_actor())
    notice = services.notices.update_notice(
        notice_id, _body(SubprocessorNoticeInput()), actor=api_actor(), now=clock.now()
    )
    return SubprocessorNoticeSchema().dump(notice)


@bp.post("/<int:notice_id>/send")
@operation(
    "Envoyer : un destinataire, un délai et un e-mail par collectivité concernée",
    tag=TAG,
    description="Refusé (400, code `notice_incomplete`) avec tous les éléments manquants à la "
    "fois ; 409 si la notification est déjà envoyée.",
    response=SubprocessorNoticeSchema,
)
def send(notice_id: int):
    notice = services.notices.send_notice(notice_id, actor=api_actor(), now=clock.now())
    return SubprocessorNoticeSchema().dump(notice)


@bp.get("/<int:notice_id>/recipients")
@operation(
    "Collectivités informées : état, réception, fin du délai d'objection",
    tag=TAG,
    query=_RECIPIENT_PAGING,
    response=Page(NoticeRecipientSchema),
)
def recipients(notice_id: int):
    actor = api_actor()
    items = services.notices.visible_recipients(
        services.notices.get_notice(notice_id, actor=actor), actor
    )
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 100, 500)
    chunk = items[(page - 1) * per_page : page * per_page]
    return page_of(ResultPage(chunk, len(items), page, per_page), NoticeRecipientSchema(many=True))


def _answer(call, schema, notice_id: int, recipient_id: int):
    if call in (services.answers.object_to, services.answers.approve):
        require(api_actor(), roles.CONTROLLER_DPO)
    else:
        services.notices.require_processor_dpo(api_actor())
    recipient = call(notice_id, recipient_id, actor=api_actor(), now=clock.now(), **_body(schema))
    return NoticeRecipientSchema().dump(recipient)


@bp.get("/<int:notice_id>/recipients/<int:recipient_id>")
@operation(
    "Un destinataire et son délai (lecture journalisée)", tag=TAG, response=NoticeRecipientSchema
)
def recipient(notice_id: int, recipient_id: int):
    item = services.answers.read_recipient(
        notice_id, recipient_id, actor=api_actor(), now=clock.now()
    )
    return NoticeRecipientSchema().dump(item)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/objection")
@operation(
    "Objection motivée (DPO de la collectivité), avant la fin du délai",
    tag=TAG,
    description="409 `window_closed` une fois le délai passé ; la même objection rejouée rend "
    "la première, une autre est refusée (409).",
    body=ObjectionInput,
    example={"reason": "Hébergement hors de l'Union européenne"},
    response=NoticeRecipientSchema,
)
def objection(notice_id: int, recipient_id: int):
    return _answer(services.answers.object_to, ObjectionInput(), notice_id, recipient_id)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/approval")
@operation(
    "Accord écrit (DPO de la collectivité) : le seul valable pour un transfert hors UE/EEE",
    tag=TAG,
    body=ApprovalInput,
    example={"reference": "Délibération 2026-14"},
    response=NoticeRecipientSchema,
)
def approval(notice_id: int, recipient_id: int):
    return _answer(services.answers.approve, ApprovalInput(), notice_id, recipient_id)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/receipt")
@operation(
    "Autre date de réception avec son justificatif (DPO du sous-traitant) : le délai est recalculé",
    tag=TAG,
    body=ReceiptInput,
    example={"received_on": "2026-03-03", "proof": "Accusé de réception signé le 3 mars"},
    response=NoticeRecipientSchema,
)
def receipt(notice_id: int, recipient_id: int):
    return _answer(services.answers.record_receipt, ReceiptInput(), notice_id, recipient_id)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/outcome")
@operation(
    "Suite donnée à une objection (DPO du sous-traitant)",
    tag=TAG,
    body=ObjectionOutcomeInput,
    example={"outcome": "alternative_offered", "note": "Hébergement en France proposé"},
    response=NoticeRecipientSchema,
)
def outcome(notice_id: int, recipient_id: int):
    return _answer(
        services.answers.record_outcome, ObjectionOutcomeInput(), notice_id, recipient_id
    )
