"""Escalations of the processor's target and reminders of the authority clock, each sent
exactly once per notice (a `BreachReminder` row per kind, unique)."""

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from rgpd_app.breaches import alerts, rules
from rgpd_app.breaches.models import BreachNotice, BreachReminder
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import record


def _sent(notice_ids: list[int]) -> dict[int, set[str]]:
    sent: dict[int, set[str]] = {}
    rows = db.session.execute(
        select(BreachReminder.notice_id, BreachReminder.kind).where(
            BreachReminder.notice_id.in_(notice_ids)
        )
    )
    for notice_id, kind in rows:
        sent.setdefault(notice_id, set()).add(kind)
    return sent


def _due(notice: BreachNotice, sent: set[str], now: datetime) -> list[str]:
    kinds = []
    if rules.escalation_due(
        target=notice.processor_target_at, now=now, notified_at=notice.notified_at, sent=sent
    ):
        kinds.append(rules.PROCESSOR_ESCALATION)
    decision = notice.decision
    settled = rules.is_settled(
        risk_level=decision.risk_level if decision else None,
        cnil_kinds=[c.kind for c in notice.cnil_notifications],
    )
    kind = rules.reminder_due(
        deadline=notice.authority_deadline_at, now=now, sent=sent, settled=settled
    )
    if kind:
        kinds.append(kind)
    return kinds


def send_reminders(now: datetime) -> int:
    """Worker job: queue what is due at `now` and record it in the same transaction, so a
    second run at the same `now` (or a restarted worker) sends nothing again."""
    candidates = list(
        db.session.scalars(
            select(BreachNotice).where(
                or_(
                    BreachNotice.notified_at.is_(None) & (BreachNotice.processor_target_at <= now),
                    BreachNotice.authority_deadline_at <= now + timedelta(hours=24),
                )
            )
        )
    )
    if not candidates:
        return 0
    sent = _sent([n.id for n in candidates])
    count = 0
    for notice in candidates:
        for kind in _due(notice, sent.get(notice.id, set()), now):
            db.session.add(BreachReminder(notice_id=notice.id, kind=kind, sent_at=now))
            recipients = alerts.send_reminder(notice, kind, now=now)
            record(
                "breach.reminder_sent",
                now=now,
                organisation_id=notice.organisation_id,
                object_type="breach_notice",
                object_id=notice.id,
                details={"kind": kind, "recipients": recipients},
            )
            count += 1
    db.session.commit()
    return count
