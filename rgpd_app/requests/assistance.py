"""The processor's help with a request: the one extension, billable time, the outcome."""

from datetime import datetime

from rgpd_app import timesheets
from rgpd_app.errors import Conflict
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.messages import N_
from rgpd_app.requests import notify, rules
from rgpd_app.requests.access import get_request, refuse, require_processor
from rgpd_app.requests.models import AssistanceRequest, AssistanceTimeEntry, SubjectRequest
from rgpd_app.requests.timing import assistance_clock


def _open_assistance(item: SubjectRequest) -> AssistanceRequest:
    if item.assistance is None:
        raise Conflict(
            N_("Aucune assistance n'a été demandée pour cette demande."), code="no_assistance"
        )
    if item.assistance.closed_at is not None:
        raise Conflict(N_("L'assistance est terminée."), code="assistance_closed")
    return item.assistance


def extend(request_id: int, data: dict, *, actor: Actor, now: datetime) -> SubjectRequest:
    """The processor's DPO extends the assistance period once by the contract's days, with a
    reason of the contract, before the first end (annex art. 4.3; the extension runs from the
    unextended end, DESIGN §3)."""
    require_processor(actor, rules.HANDLERS)
    item = get_request(request_id, actor=actor, roles=rules.HANDLERS)
    assistance = _open_assistance(item)
    first = assistance_clock(assistance).first
    refused = rules.extension_refusal(
        reason=data.get("reason"),
        already_extended=assistance.is_extended,
        now=now,
        first_closes_at=first.closes_at,
        first_day=first.deadline,
    )
    if refused is not None:
        raise refuse(refused, conflict=refused.field == "_form")
    assistance.extended_at, assistance.extended_by_id = now, actor.id
    assistance.extension_reason = data["reason"]
    assistance.extension_note = (data.get("note") or "").strip()
    extended = assistance_clock(assistance).current
    item.journal(
        "assistance_extended",
        now=now,
        actor=actor,
        reason=data["reason"],
        deadline=extended.deadline.isoformat(),
    )
    notify.tell(
        item,
        notify.MUNICIPALITY,
        template="request_extended",
        title=f"Demande {item.reference} : délai d'assistance prolongé",
        lines=[
            f"Motif : {rules.EXTENSION_REASONS[data['reason']]}"
            + (f" — {assistance.extension_note}" if assistance.extension_note else ""),
            f"Premier délai : {first.deadline:%d/%m/%Y} ; nouveau délai : "
            f"{extended.deadline:%d/%m/%Y}.",
        ],
        now=now,
    )
    db.session.commit()
    return item


def log_time(request_id: int, data: dict, *, actor: Actor, now: datetime) -> AssistanceTimeEntry:
    """Billable time spent helping with the request (annex art. 4.3)."""
    require_processor(actor, rules.TIME_LOGGERS)
    item = get_request(request_id, actor=actor, roles=rules.TIME_LOGGERS)
    if item.assistance is None:
        raise Conflict(
            N_("Aucune assistance n'a été demandée pour cette demande."), code="no_assistance"
        )
    entry = timesheets.add_entry(
        AssistanceTimeEntry, data, actor=actor, now=now, assistance_id=item.assistance.id
    )
    item.journal("time_logged", now=now, actor=actor, entry_id=entry.id, minutes=entry.minutes)
    db.session.commit()
    return entry


def close(request_id: int, data: dict, *, actor: Actor, now: datetime) -> SubjectRequest:
    """The processor's DPO records what was done (data extracted, rectified, erased…)."""
    require_processor(actor, rules.HANDLERS)
    item = get_request(request_id, actor=actor, roles=rules.HANDLERS)
    assistance = _open_assistance(item)
    clock = assistance_clock(assistance).current
    assistance.outcome, assistance.outcome_details = data["outcome"], data["details"].strip()
    assistance.closed_at, assistance.closed_by_id = now, actor.id
    late = clock.is_closed(now)
    item.journal(
        "assistance_closed",
        now=now,
        actor=actor,
        outcome=assistance.outcome,
        late=late,
        minutes=assistance.total_minutes,
    )
    notify.tell(
        item,
        notify.MUNICIPALITY,
        template="request_done",
        title=f"Demande {item.reference} : assistance terminée",
        lines=[
            f"Résultat : {rules.OUTCOMES[assistance.outcome]}",
            f"Ce qui a été fait : {assistance.outcome_details}",
            "Il vous appartient de répondre à la personne concernée.",
        ],
        now=now,
    )
    db.session.commit()
    return item


def billing_rows(item: SubjectRequest) -> list[dict]:
    if item.assistance is None:
        return []
    return [timesheets.billing_row(e) for e in item.assistance.entries]
