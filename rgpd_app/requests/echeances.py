"""Requests in "Mes échéances": the assistance period (both DPOs) and the municipality's own
answer deadline (its DPO)."""

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from rgpd_app.clocks.services import Echeance, echeance_from_deadline
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope
from rgpd_app.requests import rules
from rgpd_app.requests.models import SubjectRequest
from rgpd_app.requests.timing import clocks_for


def request_echeances(actor: Actor, now: datetime) -> list[Echeance]:
    is_processor = actor.is_processor_staff and actor.has(roles.PROCESSOR_DPO)
    is_municipality = actor.has(roles.CONTROLLER_DPO) and not actor.is_processor_staff
    if not (is_processor or is_municipality):
        return []
    stmt = scope(select(SubjectRequest), SubjectRequest.organisation_id, actor)
    stmt = stmt.where(SubjectRequest.state != rules.CLOSED).order_by(SubjectRequest.id)
    items: list[Echeance] = []
    for item in db.session.scalars(stmt):
        clocks = clocks_for(item)
        common = {
            "organisation_name": item.organisation.name,
            "organisation_id": item.organisation_id,
            "url": url_for("requests.detail", request_id=item.id),
        }
        assistance = item.assistance
        if clocks.assistance is not None and assistance.closed_at is None:
            which = "prolongé" if clocks.assistance.is_extended else "initial"
            items.append(
                echeance_from_deadline(
                    clocks.assistance.current,
                    uid=f"request-{item.id}-assistance",
                    kind="request-assistance",
                    title=f"Demande {item.reference} : assistance du sous-traitant (délai {which})",
                    **common,
                )
            )
        if is_municipality and clocks.controller is not None:
            items.append(
                echeance_from_deadline(
                    clocks.controller,
                    uid=f"request-{item.id}-answer",
                    kind="request-answer",
                    title=f"Demande {item.reference} : réponse à la personne (art. 12(3) RGPD)",
                    **common,
                )
            )
    return items
