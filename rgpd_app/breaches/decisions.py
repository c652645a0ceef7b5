"""The municipality DPO's decision for its part: risk, CNIL notifications, persons informed
(GDPR art. 33 and 34)."""

from datetime import datetime

from rgpd_app.breaches import access, rules
from rgpd_app.breaches.models import BreachDecision, BreachNotice, CnilNotification
from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import require


def _notice_for_decision(notice_id: int, actor: Actor) -> BreachNotice:
    require(actor, *access.DECIDERS)
    return access.get_notice(notice_id, actor)


def record_decision(notice_id: int, data: dict, *, actor: Actor, now: datetime) -> BreachDecision:
    """Set (or revise) the decision; every version is in the journal."""
    notice = _notice_for_decision(notice_id, actor)
    errors = rules.decision_problems(data)
    if errors:
        raise ValidationFailed(errors)
    values = dict(data)
    if values["persons_information"] != "exempted":
        values["exemption"] = ""
    decision = notice.decision
    if decision is None:
        decision = BreachDecision(notice_id=notice.id)
        db.session.add(decision)
        notice.decision = decision
    for key, value in values.items():
        setattr(decision, key, value)
    decision.decided_at = now
    decision.decided_by_id = actor.user.id
    record(
        "breach.decision_recorded",
        now=now,
        actor=actor,
        organisation_id=notice.organisation_id,
        object_type="breach_notice",
        object_id=notice.id,
        details={k: str(v) for k, v in values.items() if k != "risk_reasoning"},
    )
    db.session.commit()
    return decision


def record_cnil_notification(
    notice_id: int, data: dict, *, actor: Actor, now: datetime
) -> CnilNotification:
    """The initial notification, then complementary ones; a late initial one needs its
    reasons (art. 33(1))."""
    notice = _notice_for_decision(notice_id, actor)
    initial = next((c for c in notice.cnil_notifications if c.kind == "initial"), None)
    errors = rules.cnil_problems(
        kind=data["kind"],
        notified_at=data["notified_at"],
        delay_reason=data.get("delay_reason", ""),
        deadline=notice.authority_deadline_at,
        initial_at=initial.notified_at if initial else None,
        now=now,
    )
    if errors:
        raise ValidationFailed(errors)
    item = CnilNotification(
        notice_id=notice.id,
        kind=data["kind"],
        notified_at=data["notified_at"],
        cnil_reference=data.get("cnil_reference", "").strip(),
        delay_reason=data.get("delay_reason", "").strip(),
        is_late=rules.is_late(data["notified_at"], notice.authority_deadline_at),
        recorded_at=now,
        recorded_by_id=actor.user.id,
    )
    db.session.add(item)
    notice.cnil_notifications.append(item)
    record(
        "breach.cnil_notification_recorded",
        now=now,
        actor=actor,
        organisation_id=notice.organisation_id,
        object_type="breach_notice",
        object_id=notice.id,
        details={"kind": item.kind, "at": item.notified_at.isoformat(), "late": item.is_late},
    )
    db.session.commit()
    return item
