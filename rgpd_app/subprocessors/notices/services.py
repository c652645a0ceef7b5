"""Change notices (annex 4.4): the processor's DPO prepares one, then sends it to each
affected municipality — one recipient record, one window and one e-mail per municipality."""

import json
from datetime import datetime

from sqlalchemy import select, update

from rgpd_app.accounts.grants import users_holding
from rgpd_app.errors import Conflict, DomainError, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import require, scope
from rgpd_app.messages import N_
from rgpd_app.notifications.services import enqueue_email
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.paging import Page, paginate
from rgpd_app.register import services as register
from rgpd_app.register.choices import OPERATIONS
from rgpd_app.register.models import Subprocessor
from rgpd_app.subprocessors import catalogue
from rgpd_app.subprocessors.models import DRAFT, SENT, NoticeRecipient, SubprocessorNotice
from rgpd_app.subprocessors.notices import rules as notice_rules
from rgpd_app.subprocessors.notices.text import notice_lines, notice_title

FIELDS = (
    "kind", "subprocessor_id", "replaced_id", "activities", "contract_start_on",
    "contract_end_on", "scope", "details",
)  # fmt: skip
READERS = (roles.PROCESSOR_DPO, roles.CONTROLLER_DPO, roles.INSTRUCTOR, roles.AUDITOR)


class NoticeIncomplete(DomainError):
    code = "notice_incomplete"


def require_processor_dpo(actor: Actor) -> None:
    require(actor, roles.PROCESSOR_DPO)
    if not actor.is_processor_staff:
        raise NotFound()


def _check_refs(data: dict, *, creating: bool = False) -> None:
    errors: dict[str, list[str]] = {}
    # Even a draft says what it announces: the column is required (a form sent without it
    # failed with a server error).
    if ("kind" in data or creating) and not data.get("kind"):
        errors["kind"] = [N_("Précisez s'il s'agit d'un ajout ou d'un remplacement.")]
    for name in ("subprocessor_id", "replaced_id"):
        if data.get(name) and db.session.get(Subprocessor, data[name]) is None:
            errors[name] = [N_("Sous-traitant inconnu : %(value)s.", value=data[name])]
    for code in data.get("activities") or []:
        if code not in OPERATIONS:
            errors.setdefault("activities", []).append(
                N_("Activité inconnue : « %(code)s ».", code=code)
            )
    start, end = data.get("contract_start_on"), data.get("contract_end_on")
    if start and end and end < start:
        errors["contract_end_on"] = [N_("La fin du contrat précède son début.")]
    if errors:
        raise ValidationFailed(errors)


def _apply(notice: SubprocessorNotice, data: dict) -> None:
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "activities":
            value = json.dumps(list(dict.fromkeys(value or [])))
        setattr(notice, name, value)
    if notice.kind != notice_rules.REPLACEMENT:
        notice.replaced_id = None


def create_notice(data: dict, *, actor: Actor, now: datetime) -> SubprocessorNotice:
    """A draft notice; it may be incomplete until it is sent."""
    require_processor_dpo(actor)
    _check_refs(data, creating=True)
    notice = SubprocessorNotice(state=DRAFT, created_at=now, created_by_id=actor.id)
    _apply(notice, {"scope": notice_rules.SCOPE_ALL, "details": "", **data})
    db.session.add(notice)
    db.session.flush()
    notice.journal("subprocessor_notice.created", now=now, actor=actor)
    db.session.commit()
    return notice


def update_notice(notice_id: int, data: dict, *, actor: Actor, now: datetime):
    require_processor_dpo(actor)
    notice = _get(notice_id)
    if notice.state != DRAFT:
        raise Conflict(N_("Une notification envoyée ne peut plus être modifiée."), code="sent")
    _check_refs(data)
    _apply(notice, data)
    notice.journal("subprocessor_notice.updated", now=now, actor=actor)
    db.session.commit()
    return notice


def _get(notice_id: int) -> SubprocessorNotice:
    notice = db.session.get(SubprocessorNotice, notice_id)
    if notice is None:
        raise NotFound(N_("Notification introuvable."))
    return notice


def activities_of(notice: SubprocessorNotice) -> list[str]:
    return json.loads(notice.activities or "[]")


def affected_municipalities(notice: SubprocessorNotice) -> list[Organisation]:
    """Every municipality, or those with a live processing using one of the notice's activities."""
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.kind == CONTROLLER).order_by(Organisation.name)
    ).all()
    if notice.scope != notice_rules.SCOPE_ACTIVITY:
        return list(orgs)
    using = register.controllers_performing(set(activities_of(notice)))
    return [org for org in orgs if org.id in using]


def dpo_address(org: Organisation) -> str:
    """The municipality's DPO address on its record, else its first DPO account."""
    if org.dpo_email:
        return org.dpo_email.strip().lower()
    dpos = users_holding((roles.CONTROLLER_DPO,), organisation_id=org.id)
    first = min(dpos, key=lambda user: user.id, default=None)
    return first.email if first is not None else ""


def missing(notice: SubprocessorNotice, orgs: list[Organisation]) -> dict[str, list[str]]:
    sub = notice.subprocessor
    return notice_rules.missing_elements(
        {
            "kind": notice.kind,
            "subprocessor": catalogue.as_values(sub) if sub is not None else None,
            "replaced_id": notice.replaced_id,
            "activities": activities_of(notice),
            "contract_start_on": notice.contract_start_on,
            "contract_end_on": notice.contract_end_on,
            "municipalities": [org.name for org in orgs],
            "without_email": [org.name for org in orgs if not dpo_address(org)],
        }
    )


def recipient_link(recipient: NoticeRecipient) -> str:
    return f"/subprocessors/notices/{recipient.notice_id}/recipients/{recipient.id}"


def send_notice(notice_id: int, *, actor: Actor, now: datetime) -> SubprocessorNotice:
    """Refused with every missing element at once; else one recipient and e-mail per town."""
    require_processor_dpo(actor)
    notice = _get(notice_id)
    if notice.state != DRAFT:
        raise Conflict(N_("Cette notification a déjà été envoyée."), code="already_sent")
    orgs = affected_municipalities(notice)
    lacking = missing(notice, orgs)
    if lacking:
        raise NoticeIncomplete(
            N_(
                "La notification ne peut pas être envoyée : des éléments exigés par le contrat "
                "(annexe 4.4) manquent."
            ),
            fields=lacking,
        )
    # Compare-and-set: two clicks on "send" cannot both create recipients.
    claimed = db.session.execute(
        update(SubprocessorNotice)
        .where(SubprocessorNotice.id == notice.id, SubprocessorNotice.state == DRAFT)
        .values(state=SENT, sent_at=now, sent_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Conflict(N_("Cette notification a déjà été envoyée."), code="already_sent")
    db.session.refresh(notice)
    notice.is_transfer_outside_eea = notice.subprocessor.is_outside_eea
    for org in orgs:
        _send_to(notice, org, now=now)
    notice.journal("subprocessor_notice.sent", now=now, actor=actor, recipients=len(orgs))
    db.session.commit()
    return notice


def _send_to(notice: SubprocessorNotice, org: Organisation, *, now: datetime) -> NoticeRecipient:
    recipient = NoticeRecipient(
        notice=notice,
        organisation_id=org.id,
        state=notice_rules.AWAITING_RECEIPT,
        email_to=dpo_address(org),
        created_at=now,
    )
    db.session.add(recipient)
    db.session.flush()
    message = enqueue_email(
        to=recipient.email_to,
        template="subprocessor_notice",
        context={
            "title": notice_title(notice),
            "organisation_name": org.name,
            "lines": notice_lines(notice, org),
            "link": recipient_link(recipient),
            "link_label": "Consulter et, le cas échéant, formuler une objection",
        },
        organisation_id=org.id,
        event=("subprocessor_notice_recipient", recipient.id),
        now=now,
    )
    db.session.flush()
    recipient.outbox_message_id = message.id
    return recipient


def get_notice(notice_id: int, *, actor: Actor) -> SubprocessorNotice:
    """The processor's DPO sees every notice; a municipality only those it received."""
    require(actor, *READERS)
    notice = _get(notice_id)
    if not (actor.is_processor_staff and actor.has(roles.PROCESSOR_DPO)):
        if notice.state != SENT or not visible_recipients(notice, actor):
            raise NotFound(N_("Notification introuvable."))
    return notice


def visible_recipients(notice: SubprocessorNotice, actor: Actor) -> list[NoticeRecipient]:
    stmt = select(NoticeRecipient).where(NoticeRecipient.notice_id == notice.id)
    stmt = scope(stmt, NoticeRecipient.organisation_id, actor).order_by(NoticeRecipient.id)
    return list(db.session.scalars(stmt))


def list_notices(*, actor: Actor, now: datetime, page: int = 1, per_page: int = 20) -> Page:
    require(actor, *READERS)
    stmt = select(SubprocessorNotice)
    if not (actor.is_processor_staff and actor.has(roles.PROCESSOR_DPO)):
        mine = scope(select(NoticeRecipient.notice_id), NoticeRecipient.organisation_id, actor)
        stmt = stmt.where(SubprocessorNotice.state == SENT, SubprocessorNotice.id.in_(mine))
    order = [SubprocessorNotice.created_at.desc(), SubprocessorNotice.id.desc()]
    return paginate(stmt, page=page, per_page=per_page, order_by=order)
