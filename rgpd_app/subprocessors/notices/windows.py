"""Each recipient's objection window: started at receipt, reminded, closed by silence (worker)."""

from datetime import date, datetime

from sqlalchemy import select

from deadlines import PARIS, calendar_for
from rgpd_app.extensions import db
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.notifications.services import enqueue_email
from rgpd_app.subprocessors.models import NoticeRecipient
from rgpd_app.subprocessors.notices import rules as notice_rules
from rgpd_app.subprocessors.notices.text import notice_title, window_text

MAIL_SERVER, MANUAL = "mail_server", "manual"


def paris_day(instant: datetime) -> date:
    return instant.astimezone(PARIS).date()


def calendar_of(recipient: NoticeRecipient):
    return calendar_for(recipient.organisation.calendar_code)


def set_window(recipient: NoticeRecipient, received_on: date, *, now: datetime) -> None:
    """Window = days_after(receipt, contract length, the municipality's calendar); a closed
    one is decided at once (silence), an open one (re)opens. No commit."""
    org = recipient.organisation
    deadline = notice_rules.window(received_on, org.objection_days, calendar_of(recipient))
    recipient.received_on = received_on
    recipient.window_ends_on = deadline.deadline
    recipient.window_closes_at = deadline.closes_at
    if deadline.is_closed(now):
        close_by_silence(recipient, now=now)
    else:
        recipient.state = notice_rules.OPEN
        recipient.decided_at = None


def close_by_silence(recipient: NoticeRecipient, *, now: datetime) -> None:
    recipient.state = notice_rules.state_after_silence(recipient.notice.is_transfer_outside_eea)
    recipient.decided_at = now
    recipient.journal("subprocessor_notice.silence", now=now, state=recipient.state)


def start_windows(now: datetime) -> int:
    """Copy the mail server's acceptance day onto each recipient still awaiting receipt."""
    stmt = (
        select(NoticeRecipient, OutboxMessage.accepted_at)
        .join(OutboxMessage, OutboxMessage.id == NoticeRecipient.outbox_message_id)
        .where(
            NoticeRecipient.state == notice_rules.AWAITING_RECEIPT,
            NoticeRecipient.receipt_source == "",
            OutboxMessage.accepted_at.is_not(None),
        )
        .order_by(NoticeRecipient.id)
    )
    started = 0
    for recipient, accepted_at in db.session.execute(stmt).all():
        recipient.receipt_source = MAIL_SERVER
        set_window(recipient, paris_day(accepted_at), now=now)
        recipient.journal(
            "subprocessor_notice.received",
            now=now,
            received_on=recipient.received_on,
            accepted_at=accepted_at.isoformat(),
        )
        started += 1
    db.session.commit()
    return started


def send_reminders(now: datetime) -> int:
    """One reminder, two working days before the end, to a municipality that has not answered."""
    today = paris_day(now)
    stmt = select(NoticeRecipient).where(
        NoticeRecipient.state == notice_rules.OPEN,
        NoticeRecipient.reminder_sent_at.is_(None),
        NoticeRecipient.window_closes_at > now,
    )
    sent = 0
    for recipient in db.session.scalars(stmt.order_by(NoticeRecipient.id)).all():
        due = notice_rules.is_reminder_due(
            recipient.state, False, recipient.window_ends_on, today, calendar_of(recipient)
        )
        if not due:
            continue
        recipient.reminder_sent_at = now
        notice = recipient.notice
        enqueue_email(
            to=recipient.email_to,
            template="subprocessor_reminder",
            context={
                "title": notice_title(notice),
                "organisation_name": recipient.organisation.name,
                "lines": [
                    "Vous n'avez pas encore répondu à cette notification.",
                    window_text(recipient),
                ],
                "link": f"/subprocessors/notices/{notice.id}/recipients/{recipient.id}",
                "link_label": "Consulter la notification",
            },
            organisation_id=recipient.organisation_id,
            event=("subprocessor_notice_reminder", recipient.id),
            now=now,
        )
        recipient.journal("subprocessor_notice.reminded", now=now)
        sent += 1
    db.session.commit()
    return sent


def close_windows(now: datetime) -> int:
    """Every open window closed at `now` ends by silence (idempotent: the state moves)."""
    stmt = select(NoticeRecipient).where(
        NoticeRecipient.state == notice_rules.OPEN, NoticeRecipient.window_closes_at <= now
    )
    closed = 0
    for recipient in db.session.scalars(stmt.order_by(NoticeRecipient.id)).all():
        close_by_silence(recipient, now=now)
        closed += 1
    db.session.commit()
    return closed
