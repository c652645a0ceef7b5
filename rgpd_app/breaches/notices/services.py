"""The notice to each municipality: e-mail, reception (the start of its 72-hour clock) and
the registered letter with acknowledgement of receipt (annex 4.7; GDPR art. 33(2))."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from deadlines import PARIS, hours_after
from rgpd_app.breaches import access, alerts, facts, rules
from rgpd_app.breaches.models import BreachNotice
from rgpd_app.errors import Conflict, DomainError, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.notifications.models import PRESUMED, OutboxAttempt, OutboxMessage
from rgpd_app.paging import Page, paginate


def _messages_stmt(notice_ids):
    return select(OutboxMessage).where(
        OutboxMessage.event_type == alerts.NOTICE_EVENT,
        OutboxMessage.event_id.in_([str(i) for i in notice_ids]),
    )


@dataclass(frozen=True)
class Receipt:
    """The delivery evidence of one notice e-mail: the mail server's first acceptance."""

    recipient: str
    message_id: str
    accepted_at: datetime | None
    is_presumed: bool  # the sender stopped after transmitting it, before the 250 was recorded
    reply: str
    queue_id: str
    attempts: int


@dataclass(frozen=True)
class Delivery:
    """Where the notice e-mails stand in the outbox (shown on the notice page)."""

    states: tuple[str, ...]
    last_error: str
    receipts: tuple[Receipt, ...] = ()

    @property
    def is_waiting(self) -> bool:
        return bool(self.states) and "sent" not in self.states


def delivery(notice: BreachNotice) -> Delivery:
    messages = list(db.session.scalars(_messages_stmt([notice.id]).order_by(OutboxMessage.id)))
    errors = [m.last_error for m in messages if m.last_error]
    attempts: dict[int, list[OutboxAttempt]] = {}
    for attempt in db.session.scalars(
        select(OutboxAttempt)
        .where(OutboxAttempt.message_pk.in_([m.id for m in messages]))
        .order_by(OutboxAttempt.number)
    ):
        attempts.setdefault(attempt.message_pk, []).append(attempt)
    receipts = []
    for m in messages:
        tried = attempts.get(m.id, [])
        first = next((a for a in tried if a.number == m.accepted_attempt), None)
        receipts.append(
            Receipt(
                recipient=m.recipient,
                message_id=m.message_id,
                accepted_at=m.accepted_at,
                is_presumed=first is not None and first.outcome == PRESUMED,
                reply=m.acceptance_reply,
                queue_id=m.acceptance_queue_id,
                attempts=len(tried),
            )
        )
    return Delivery(tuple(m.state for m in messages), errors[-1] if errors else "", tuple(receipts))


def _restart_clock(notice: BreachNotice) -> bool:
    """Recompute reception and the authority deadline (hours_after in UTC, DESIGN §3)."""
    reached = rules.reached_at(notice.email_accepted_at, notice.acknowledged_at)
    if reached == notice.notified_at:
        return False
    notice.notified_at = reached
    hours = notice.organisation.breach_authority_hours
    notice.authority_deadline_at = hours_after(reached, hours).closes_at if reached else None
    return True


def confirm_notice(notice_id: int, *, actor: Actor, now: datetime) -> BreachNotice:
    """Send the notice e-mail to the municipality's DPO(s). The clock does not start here: it
    starts when the mail server accepts the message (`sync_receptions`)."""
    access.require_recorder(actor)
    notice = access.get_notice(notice_id, actor)
    if notice.confirmed_at is not None:
        raise Conflict(N_("Cette collectivité a déjà été informée."), code="notice_sent")
    notice.confirmed_at = now
    notice.confirmed_by_id = actor.user.id
    sent = alerts.send_notice(notice, now=now)
    if not sent:
        raise DomainError(
            N_(
                "La collectivité n'a ni adresse de DPO ni compte de DPO : complétez sa fiche avant "
                "d'envoyer la notification."
            ),
            code="no_dpo_address",
        )
    notice.journal("breach.notice_confirmed", now=now, actor=actor, recipients=sent)
    db.session.commit()
    return notice


def sync_receptions(now: datetime) -> int:
    """Worker job: copy the mail server's acceptance into each notice and start its clock.
    Idempotent: a notice already holding its acceptance is not looked at again."""
    waiting = list(
        db.session.scalars(
            select(BreachNotice).where(
                BreachNotice.confirmed_at.is_not(None), BreachNotice.email_accepted_at.is_(None)
            )
        )
    )
    if not waiting:
        return 0
    accepted: dict[str, datetime] = {}
    for message in db.session.scalars(
        _messages_stmt([n.id for n in waiting]).where(OutboxMessage.accepted_at.is_not(None))
    ):
        known = accepted.get(message.event_id)
        accepted[message.event_id] = (
            min(known, message.accepted_at) if known else message.accepted_at
        )
    started = 0
    for notice in waiting:
        at = accepted.get(str(notice.id))
        if at is None:
            continue
        notice.email_accepted_at = at
        if _restart_clock(notice):
            started += 1
            notice.journal(
                "breach.notice_reached",
                now=now,
                actor=None,
                notified_at=notice.notified_at.isoformat(),
                authority_deadline_at=notice.authority_deadline_at.isoformat(),
            )
    db.session.commit()
    return started


def record_acknowledgement(
    notice_id: int, data: dict, *, actor: Actor, now: datetime
) -> BreachNotice:
    """The municipality acknowledged the notice at a given instant (e.g. by telephone, before
    the e-mail got through): the clock runs from the earliest proof of reception."""
    require(actor, *access.RECORDERS, roles.CONTROLLER_DPO)
    notice = access.get_notice(notice_id, actor)
    if notice.confirmed_at is None:
        raise Conflict(N_("Confirmez d'abord la notification."), code="notice_not_sent")
    at = data["acknowledged_at"]
    if at > now:
        raise ValidationFailed({"acknowledged_at": [N_("Cet instant est dans le futur.")]})
    if at < notice.breach.aware_at:
        raise ValidationFailed(
            {
                "acknowledged_at": [
                    N_("La réception précède la prise de connaissance de la violation.")
                ]
            }
        )
    notice.acknowledged_at = at
    _restart_clock(notice)
    notice.journal("breach.notice_acknowledged", now=now, actor=actor, at=at.isoformat())
    db.session.commit()
    return notice


def record_letter(notice_id: int, data: dict, *, actor: Actor, now: datetime) -> BreachNotice:
    """The registered letter with acknowledgement of receipt: sending date, tracking number,
    acknowledgement date (annex 4.7)."""
    access.require_recorder(actor)
    notice = access.get_notice(notice_id, actor)
    today = now.astimezone(PARIS).date()
    errors = {}
    if data["sent_on"] > today:
        errors["sent_on"] = [N_("Cette date est dans le futur.")]
    if data["sent_on"] < notice.breach.aware_at.astimezone(PARIS).date():
        errors["sent_on"] = [N_("Le courrier précède la prise de connaissance de la violation.")]
    ack = data.get("acknowledged_on")
    if ack is not None and ack > today:
        errors["acknowledged_on"] = [N_("Cette date est dans le futur.")]
    if ack is not None and ack < data["sent_on"]:
        errors["acknowledged_on"] = [N_("L'accusé de réception précède l'envoi du courrier.")]
    if errors:
        raise ValidationFailed(errors)
    notice.letter_sent_on = data["sent_on"]
    notice.letter_tracking_number = data["tracking_number"].strip().upper()
    notice.letter_acknowledged_on = ack
    notice.journal(
        "breach.letter_recorded",
        now=now,
        actor=actor,
        sent_on=str(data["sent_on"]),
        tracking_number=notice.letter_tracking_number,
        acknowledged_on=str(ack or ""),
    )
    db.session.commit()
    return notice


def letter_pdf(notice_id: int, *, actor: Actor, now: datetime) -> tuple[BreachNotice, bytes]:
    """The registered letter to print, as a PDF (templates/breaches/letter.html)."""
    from rgpd_app.exports import render_pdf
    from rgpd_app.organisations.services import processor

    access.require_recorder(actor)
    notice = access.get_notice(notice_id, actor)
    body = render_pdf(
        "breaches/letter.html",
        notice=notice,
        breach=notice.breach,
        processor=processor(),
        facts=facts.described(facts.current(notice.breach)),
        clock_line=alerts.authority_clock_line(notice),
        today=now.astimezone(PARIS).date(),
    )
    notice.journal("breach.letter_generated", now=now, actor=actor)
    db.session.commit()
    return notice, body


def get_notice(notice_id: int, *, actor: Actor, now: datetime) -> BreachNotice:
    notice = access.get_notice(notice_id, actor)
    notice.journal("breach.notice_read", now=now, actor=actor)
    db.session.commit()
    return notice


def list_notices(
    *, actor: Actor, now: datetime, breach_id: int | None = None, page: int = 1, per_page: int = 25
) -> Page:
    """Notices the actor sees, the most urgent running clock first."""
    stmt = access.notices_stmt(actor)
    if breach_id is not None:
        stmt = stmt.where(BreachNotice.breach_id == breach_id)
    order = [
        BreachNotice.authority_deadline_at.is_(None),
        BreachNotice.authority_deadline_at,
        BreachNotice.id.desc(),
    ]
    result = paginate(stmt, page=page, per_page=per_page, order_by=order)
    record(
        "breach.notices_listed",
        now=now,
        actor=actor,
        object_type=BreachNotice.journal_type,
        details={"page": page, "count": len(result.items)},
    )
    db.session.commit()
    return result
