"""JSON API of the change notices (/api/v1/subprocessor-notices)."""

from flask import request

from rgpd_app import clock
from rgpd_app.accounts import rules as roles
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.paging import Page
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.api import int_arg, page_of
from rgpd_app.subprocessors.notice_schemas import (
    ApprovalInput,
    NoticeRecipientSchema,
    ObjectionInput,
    ObjectionOutcomeInput,
    ReceiptInput,
    SubprocessorNoticeInput,
    SubprocessorNoticeSchema,
)
from rgpd_app.tenancy import require
from rgpd_app.validation import load

bp = api_blueprint("subprocessor_notices_api", __name__, "/subprocessor-notices")


def _body(schema) -> dict:
    return load(schema, request.get_json(silent=True))


@bp.get("")
def index():
    result = services.notices.list_notices(
        actor=api_actor(),
        now=clock.now(),
        page=int_arg("page", 1, 10**6),
        per_page=int_arg("per_page", 50, 200),
    )
    return page_of(result, SubprocessorNoticeSchema(many=True))


@bp.post("")
def create():
    services.notices.require_processor_dpo(api_actor())  # a refused role: 403 before any 400
    notice = services.notices.create_notice(
        _body(SubprocessorNoticeInput()), actor=api_actor(), now=clock.now()
    )
    return SubprocessorNoticeSchema().dump(notice), 201


@bp.get("/<int:notice_id>")
def detail(notice_id: int):
    return SubprocessorNoticeSchema().dump(
        services.notices.get_notice(notice_id, actor=api_actor())
    )


@bp.put("/<int:notice_id>")
def update(notice_id: int):
    services.notices.require_processor_dpo(api_actor())
    notice = services.notices.update_notice(
        notice_id, _body(SubprocessorNoticeInput()), actor=api_actor(), now=clock.now()
    )
    return SubprocessorNoticeSchema().dump(notice)


@bp.post("/<int:notice_id>/send")
def send(notice_id: int):
    notice = services.notices.send_notice(notice_id, actor=api_actor(), now=clock.now())
    return SubprocessorNoticeSchema().dump(notice)


@bp.get("/<int:notice_id>/recipients")
def recipients(notice_id: int):
    actor = api_actor()
    items = services.notices.visible_recipients(
        services.notices.get_notice(notice_id, actor=actor), actor
    )
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 100, 500)
    chunk = items[(page - 1) * per_page : page * per_page]
    return page_of(Page(chunk, len(items), page, per_page), NoticeRecipientSchema(many=True))


def _answer(call, schema, notice_id: int, recipient_id: int):
    if call in (services.answers.object_to, services.answers.approve):
        require(api_actor(), roles.CONTROLLER_DPO)
    else:
        services.notices.require_processor_dpo(api_actor())
    recipient = call(notice_id, recipient_id, actor=api_actor(), now=clock.now(), **_body(schema))
    return NoticeRecipientSchema().dump(recipient)


@bp.get("/<int:notice_id>/recipients/<int:recipient_id>")
def recipient(notice_id: int, recipient_id: int):
    item = services.answers.read_recipient(
        notice_id, recipient_id, actor=api_actor(), now=clock.now()
    )
    return NoticeRecipientSchema().dump(item)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/objection")
def objection(notice_id: int, recipient_id: int):
    return _answer(services.answers.object_to, ObjectionInput(), notice_id, recipient_id)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/approval")
def approval(notice_id: int, recipient_id: int):
    return _answer(services.answers.approve, ApprovalInput(), notice_id, recipient_id)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/receipt")
def receipt(notice_id: int, recipient_id: int):
    return _answer(services.answers.record_receipt, ReceiptInput(), notice_id, recipient_id)


@bp.post("/<int:notice_id>/recipients/<int:recipient_id>/outcome")
def outcome(notice_id: int, recipient_id: int):
    return _answer(
        services.answers.record_outcome, ObjectionOutcomeInput(), notice_id, recipient_id
    )
