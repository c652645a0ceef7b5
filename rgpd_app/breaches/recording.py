"""Recording a breach, its phased updates (art. 33(4)) and the municipalities it concerns."""

import json
from datetime import datetime

from sqlalchemy import delete, func, select

from deadlines import PARIS, hours_after
from rgpd_app.breaches import access, alerts, facts, rules
from rgpd_app.breaches.models import Breach, BreachActivity, BreachNotice, BreachUpdate
from rgpd_app.errors import Conflict, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.paging import contains, ordering, paginate
from rgpd_app.register.models import ProcessingActivity


def _municipalities(ids: list[int], field: str) -> list[Organisation]:
    found = list(
        db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == CONTROLLER)
        )
    )
    missing = sorted(set(ids) - {org.id for org in found})
    if missing:
        raise ValidationFailed(
            {field: [N_("Collectivité inconnue : %(missing)s.", missing=missing)]}
        )
    return sorted(found, key=lambda org: org.name)


def _activities(ids: list[int]) -> list[ProcessingActivity]:
    found = list(
        db.session.scalars(select(ProcessingActivity).where(ProcessingActivity.id.in_(ids)))
    )
    missing = sorted(set(ids) - {a.id for a in found})
    if missing:
        raise ValidationFailed(
            {"activity_ids": [N_("Traitement inconnu : %(missing)s.", missing=missing)]}
        )
    return found


def suggested_organisation_ids(activity_ids: list[int]) -> list[int]:
    """Municipalities whose processings are concerned: a suggestion, adjustable by hand."""
    if not activity_ids:
        return []
    stmt = select(ProcessingActivity.controller_id).where(ProcessingActivity.id.in_(activity_ids))
    return sorted(set(db.session.scalars(stmt)))


def _next_reference(now: datetime) -> str:
    year = now.astimezone(PARIS).year
    prefix = rules.reference(year, 0)[:-4]
    count = db.session.scalar(select(func.count()).where(Breach.reference.startswith(prefix)))
    return rules.reference(year, (count or 0) + 1)


def _new_notice(breach: Breach, org: Organisation, now: datetime, **numbers) -> BreachNotice:
    target = hours_after(breach.aware_at, org.breach_processor_hours).closes_at
    notice = BreachNotice(organisation=org, processor_target_at=target, added_at=now, **numbers)
    breach.notices.append(notice)
    return notice


def _snapshot(breach: Breach, phase: int, summary: str, changed, *, actor, now) -> BreachUpdate:
    update = BreachUpdate(
        breach_id=breach.id,
        phase=phase,
        summary=summary,
        facts=json.dumps(facts.to_json(facts.current(breach)), ensure_ascii=False),
        changed_fields=json.dumps(list(changed)),
        recorded_at=now,
        recorded_by_id=actor.user.id if actor else None,
        recorded_by_email=actor.user.email if actor else "",
    )
    db.session.add(update)
    return update


def record_breach(data: dict, *, actor: Actor, now: datetime) -> Breach:
    """Record the facts, link municipalities (suggested from the processings when none is
    given) and alert the processor's security staff at once, e-mail and webhook."""
    access.require_recorder(actor)
    values = {**rules.EMPTY_FACTS, **{k: v for k, v in data.items() if k in rules.FACT_FIELDS}}
    errors = rules.fact_problems(values, now=now)
    activities = _activities(data.get("activity_ids") or [])
    org_ids = data.get("organisation_ids") or suggested_organisation_ids([a.id for a in activities])
    if not org_ids:
        errors["organisation_ids"] = [
            N_("Indiquez au moins une collectivité concernée (ou les traitements concernés).")
        ]
    if errors:
        raise ValidationFailed(errors)
    orgs = _municipalities(org_ids, "organisation_ids")
    breach = Breach(
        reference=_next_reference(now),
        phase=1,
        created_at=now,
        updated_at=now,
        created_by_id=actor.user.id,
    )
    facts.apply(breach, values)
    db.session.add(breach)
    for org in orgs:
        _new_notice(breach, org, now)
    db.session.flush()
    for activity in activities:
        db.session.add(BreachActivity(breach_id=breach.id, activity_id=activity.id))
    _snapshot(breach, 1, "Enregistrement initial", rules.FACT_FIELDS, actor=actor, now=now)
    staff = alerts.alert_security_staff(breach, now=now)
    breach.journal(
        "breach.recorded",
        now=now,
        actor=actor,
        municipalities=[org.id for org in orgs],
        alerted=staff,
    )
    db.session.commit()
    return breach


def update_breach(breach_id: int, data: dict, *, actor: Actor, now: datetime) -> BreachUpdate:
    """A new dated phase: the facts change, the previous phases stay as they were, and every
    municipality already informed receives the update."""
    breach = access.get_breach(breach_id, actor)
    values = {**facts.current(breach), **{k: v for k, v in data.items() if k in rules.FACT_FIELDS}}
    errors = rules.fact_problems(values, now=now)
    if errors:
        raise ValidationFailed(errors)
    changed = facts.apply(breach, values)
    breach.phase += 1
    breach.updated_at = now
    if "aware_at" in changed:
        for notice in breach.notices:
            notice.processor_target_at = hours_after(
                breach.aware_at, notice.organisation.breach_processor_hours
            ).closes_at
    update = _snapshot(breach, breach.phase, data["summary"], changed, actor=actor, now=now)
    informed = [n for n in breach.notices if n.confirmed_at is not None]
    for notice in informed:
        alerts.send_update(notice, data["summary"], changed, now=now)
    breach.journal(
        "breach.updated",
        now=now,
        actor=actor,
        phase=breach.phase,
        changed=changed,
        sent_to=[n.organisation_id for n in informed],
    )
    db.session.commit()
    return update


def set_municipality(breach_id: int, data: dict, *, actor: Actor, now: datetime) -> BreachNotice:
    """Add a municipality to the breach, or change its approximate numbers."""
    breach = access.get_breach(breach_id, actor)
    org = _municipalities([data["organisation_id"]], "organisation_id")[0]
    numbers = {k: data.get(k) for k in ("persons_count", "records_count")}
    notice = next((n for n in breach.notices if n.organisation_id == org.id), None)
    if notice is None:
        notice = _new_notice(breach, org, now, **numbers)
        action = "breach.municipality_added"
    else:
        for key, value in numbers.items():
            setattr(notice, key, value)
        action = "breach.municipality_numbers"
    db.session.flush()
    breach.journal(action, now=now, actor=actor, organisation_id=org.id, **numbers)
    db.session.commit()
    return notice


def remove_municipality(breach_id: int, organisation_id: int, *, actor: Actor, now: datetime):
    """Unlink a municipality wrongly suggested; refused once its notice was sent."""
    breach = access.get_breach(breach_id, actor)
    notice = next((n for n in breach.notices if n.organisation_id == organisation_id), None)
    if notice is None:
        raise NotFound(N_("Cette collectivité n'est pas liée à la violation."))
    if notice.confirmed_at is not None:
        raise Conflict(
            N_("La collectivité a déjà été informée : elle reste liée à la violation."),
            code="notice_sent",
        )
    if len(breach.notices) == 1:
        raise Conflict(
            N_("Une violation concerne au moins une collectivité."), code="last_municipality"
        )
    breach.notices.remove(notice)
    db.session.delete(notice)
    breach.journal(
        "breach.municipality_removed", now=now, actor=actor, organisation_id=organisation_id
    )
    db.session.commit()


def link_activities(breach_id: int, data: dict, *, actor: Actor, now: datetime) -> list[int]:
    """Set the processings concerned; returns the municipalities they suggest (not applied)."""
    breach = access.get_breach(breach_id, actor)
    ids = sorted({a.id for a in _activities(data.get("activity_ids") or [])})
    db.session.execute(delete(BreachActivity).where(BreachActivity.breach_id == breach.id))
    for activity_id in ids:
        db.session.add(BreachActivity(breach_id=breach.id, activity_id=activity_id))
    breach.journal("breach.activities", now=now, actor=actor, activity_ids=ids)
    db.session.commit()
    return suggested_organisation_ids(ids)


def linked_activities(breach: Breach) -> list[ProcessingActivity]:
    stmt = (
        select(ProcessingActivity)
        .join(BreachActivity, BreachActivity.activity_id == ProcessingActivity.id)
        .where(BreachActivity.breach_id == breach.id)
        .order_by(ProcessingActivity.name)
    )
    return list(db.session.scalars(stmt))


def get_breach(breach_id: int, *, actor: Actor, now: datetime) -> Breach:
    """The breach for the processor's recorders; the read is journaled (it may name people)."""
    breach = access.get_breach(breach_id, actor)
    breach.journal("breach.read", now=now, actor=actor)
    db.session.commit()
    return breach


SORTS = {"reference": Breach.reference, "aware": Breach.aware_at, "phase": Breach.phase}
DEFAULT_SORT = "-aware"


def list_breaches(
    *,
    actor: Actor,
    now: datetime,
    q: str = "",
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 25,
):
    """Every breach (the processor's recorders), newest awareness first by default; `q`
    matches the reference or the description."""
    access.require_recorder(actor)
    stmt = select(Breach)
    if q:
        stmt = stmt.where(contains(Breach.reference, q) | contains(Breach.description, q))
    order = ordering(sort, SORTS, DEFAULT_SORT, Breach.id)
    return paginate(stmt, page=page, per_page=per_page, order_by=order)
