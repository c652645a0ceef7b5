"""A request reaches the processor (recorded, forwarded at once) or the municipality asks for
help with one; reading the requester's identity; the municipality's own deadline; closing."""

from datetime import datetime

from deadlines import PARIS
from rgpd_app.errors import Conflict, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.requests import notify, rules
from rgpd_app.requests.access import (
    get_request,
    require_municipality,
    require_processor,
)
from rgpd_app.requests.models import AssistanceRequest, SubjectRequest
from rgpd_app.requests.timing import assistance_clock, controller_deadline


def _day(instant: datetime):
    return instant.astimezone(PARIS).date()


def _controller(organisation_id: int, actor: Actor) -> Organisation:
    try:
        org = get_visible(Organisation, organisation_id, actor, column=Organisation.id)
    except NotFound:  # named as the field's error, like any bad input
        org = None
    if org is None or org.is_processor:
        raise ValidationFailed({"organisation_id": [N_("Collectivité inconnue.")]})
    return org


def record_request(data: dict, *, actor: Actor, now: datetime) -> SubjectRequest:
    """A request that reached the processor directly: recorded, then forwarded to the
    municipality at once and marked forwarded; the processor does not answer the person."""
    require_processor(actor, rules.RECORDERS)
    org = _controller(data["organisation_id"], actor)
    received_at = data.get("received_at") or now
    if received_at > now:
        raise ValidationFailed(
            {"received_at": [N_("La date de réception ne peut pas être future.")]}
        )
    item = SubjectRequest(
        organisation=org,
        kind=data["kind"],
        origin=rules.PROCESSOR,
        channel=data["channel"],
        received_at=received_at,
        requester_identity=data["requester_identity"].strip(),
        details=(data.get("details") or "").strip(),
        recorded_by_id=actor.id,
        state=rules.FORWARDED,
        controller_received_on=_day(now),
        created_at=now,
    )
    db.session.add(item)
    db.session.flush()
    item.journal("recorded", now=now, actor=actor, kind=item.kind, channel=item.channel)
    addresses = notify.tell(
        item,
        notify.MUNICIPALITY,
        template="request_forwarded",
        title=f"Demande de personne concernée {item.reference} à traiter",
        lines=[
            f"Type : {rules.KINDS[item.kind]}",
            f"Reçue par le sous-traitant le {item.received_at.astimezone(PARIS):%d/%m/%Y} "
            f"({rules.CHANNELS[item.channel].lower()}).",
            "Le sous-traitant ne répond pas lui-même à la personne : il vous transmet sa demande "
            "sans délai. L'identité du demandeur et sa demande sont consultables sur la page "
            "(accès journalisé).",
        ],
        now=now,
    )
    item.forwarded_at, item.forwarded_to = now, ", ".join(addresses)
    item.journal("forwarded", now=now, actor=actor, recipients=len(addresses))
    db.session.commit()
    return item


def ask_assistance(data: dict, *, actor: Actor, now: datetime) -> SubjectRequest:
    """The municipality's DPO asks the processor for help, on a forwarded request or one it
    received itself; the assistance clock starts now (annex art. 4.3)."""
    require_municipality(actor, rules.ASKERS)
    if data.get("request_id"):
        item = get_request(data["request_id"], actor=actor, roles=rules.ASKERS)
        if item.state == rules.CLOSED or item.assistance is not None:
            raise Conflict(
                N_("Une assistance a déjà été demandée pour cette demande, ou elle est close."),
                code="assistance_exists",
            )
        if data.get("retention_months"):
            item.retention_months = data["retention_months"]
    else:
        missing = {
            f: [N_("Ce champ est obligatoire.")]
            for f in ("kind", "requester_identity", "controller_received_on")
            if not data.get(f)
        }
        if missing:
            raise ValidationFailed(missing)
        if data["controller_received_on"] > _day(now):
            raise ValidationFailed({"controller_received_on": [N_("Date future.")]})
        item = SubjectRequest(
            organisation_id=actor.organisation_id,
            kind=data["kind"],
            origin=rules.MUNICIPALITY,
            channel=data.get("channel") or "",
            received_at=now,
            requester_identity=data["requester_identity"].strip(),
            details=(data.get("details") or "").strip(),
            recorded_by_id=actor.id,
            controller_received_on=data["controller_received_on"],
            retention_months=data.get("retention_months") or rules.DEFAULT_RETENTION_MONTHS,
            created_at=now,
        )
        db.session.add(item)
        db.session.flush()
    item.state = rules.ASSISTANCE
    item.assistance = AssistanceRequest(
        organisation_id=item.organisation_id,
        asked_by_id=actor.id,
        received_at=now,
        question=data["question"].strip(),
        created_at=now,
    )
    db.session.flush()
    clock = assistance_clock(item.assistance)
    item.journal(
        "assistance_asked", now=now, actor=actor, deadline=clock.first.deadline.isoformat()
    )
    notify.tell(
        item,
        notify.PROCESSOR,
        template="request_assistance",
        title=f"Demande d'assistance {item.reference}",
        lines=[
            f"Type : {rules.KINDS[item.kind]}",
            f"Besoin : {item.assistance.question}",
            f"Délai d'assistance : {clock.first.deadline:%d/%m/%Y} (prolongeable une fois).",
        ],
        now=now,
    )
    db.session.commit()
    return item


def read_identity(request_id: int, *, actor: Actor, now: datetime) -> dict:
    """The requester's identity and the request's words, for the processor's DPO and the
    municipality's DPO only; every read is journaled."""
    item = get_request(request_id, actor=actor, roles=rules.IDENTITY_READERS)
    item.journal("identity_read", now=now, actor=actor)
    values = {
        "requester_identity": item.requester_identity,
        "details": item.details,
        "purged_at": item.identity_purged_at,
    }
    db.session.commit()
    return values


def extend_controller_deadline(request_id: int, data: dict, *, actor: Actor, now: datetime):
    """The municipality extends its own answer deadline by two months (GDPR art. 12(3)),
    before the first month ends, with its reason."""
    require_municipality(actor, rules.ASKERS)
    item = get_request(request_id, actor=actor, roles=rules.ASKERS)
    first = controller_deadline(item)
    if item.controller_extended_at is not None or item.state == rules.CLOSED or first is None:
        raise Conflict(N_("Le délai de réponse ne peut plus être prolongé."), code="cannot_extend")
    if first.is_closed(now):
        raise Conflict(
            N_(
                "Le délai d'un mois a expiré le %(day)s : trop tard pour le prolonger.",
                day=format(first.deadline, "%d/%m/%Y"),
            ),
            code="extension_too_late",
        )
    item.controller_extended_at, item.controller_extension_reason = now, data["reason"].strip()
    item.journal("controller_extended", now=now, actor=actor, reason=data["reason"])
    notify.tell(
        item,
        notify.PROCESSOR,
        template="request_controller_extended",
        title=f"Demande {item.reference} : délai de réponse prolongé de deux mois",
        lines=[
            f"Motif : {item.controller_extension_reason}",
            f"Nouvelle échéance : {controller_deadline(item).deadline:%d/%m/%Y}.",
        ],
        now=now,
    )
    db.session.commit()
    return item


def close_request(request_id: int, *, actor: Actor, now: datetime) -> SubjectRequest:
    """The request is over (the municipality answered); the identity purge clock starts."""
    item = get_request(request_id, actor=actor, roles=rules.CLOSERS)
    if item.state == rules.CLOSED:
        raise Conflict(N_("Cette demande est déjà close."), code="already_closed")
    if item.assistance is not None and item.assistance.closed_at is None:
        raise Conflict(
            N_("L'assistance du sous-traitant est en cours : enregistrez d'abord son résultat."),
            code="assistance_open",
        )
    item.state, item.closed_at, item.closed_by_id = rules.CLOSED, now, actor.id
    purge_on = rules.purge_day(_day(now), item.retention_months)
    item.journal("closed", now=now, actor=actor, purge_on=purge_on.isoformat())
    side = notify.MUNICIPALITY if actor.is_processor_staff else notify.PROCESSOR
    notify.tell(
        item,
        side,
        template="request_closed",
        title=f"Demande {item.reference} close",
        lines=[f"L'identité du demandeur sera effacée le {purge_on:%d/%m/%Y}."],
        now=now,
    )
    db.session.commit()
    return item
