"""The breach clocks in "Mes échéances": the processor's target and each authority deadline."""

from datetime import datetime

from flask import url_for

from deadlines import hours_after
from rgpd_app.breaches import access, rules
from rgpd_app.breaches.models import BreachNotice
from rgpd_app.clocks.services import Echeance, echeance_from_deadline
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor


def _settled(notice: BreachNotice) -> bool:
    decision = notice.decision
    return rules.is_settled(
        risk_level=decision.risk_level if decision else None,
        cnil_kinds=[c.kind for c in notice.cnil_notifications],
    )


def breach_echeances(actor: Actor, now: datetime) -> list[Echeance]:
    """Processor target (recorders, until the notice reached the municipality) and the
    authority deadline (both sides, until the CNIL is notified or no risk is found)."""
    if not actor.has(*access.READERS):
        return []
    stmt = access.notices_stmt(actor).where(
        (BreachNotice.notified_at.is_(None)) | (BreachNotice.authority_deadline_at.is_not(None))
    )
    items = []
    for notice in db.session.scalars(stmt.order_by(BreachNotice.id)):
        url = url_for("breach_notices.detail", notice_id=notice.id)
        org, reference = notice.organisation, notice.breach.reference
        if notice.notified_at is None and access.is_recorder(actor):
            deadline = hours_after(notice.breach.aware_at, org.breach_processor_hours)
            items.append(
                echeance_from_deadline(
                    deadline,
                    uid=f"breach-processor-{notice.id}",
                    kind="breach-processor",
                    title=f"Violation {reference} : informer la collectivité",
                    organisation_name=org.name,
                    url=url,
                    organisation_id=org.id,
                )
            )
        if notice.notified_at is not None and not _settled(notice):
            deadline = hours_after(notice.notified_at, org.breach_authority_hours)
            items.append(
                echeance_from_deadline(
                    deadline,
                    uid=f"breach-authority-{notice.id}",
                    kind="breach-authority",
                    title=f"Violation {reference} : notification à la CNIL",
                    organisation_name=org.name,
                    url=url,
                    organisation_id=org.id,
                )
            )
    return items
