"""Who hears about an audit step, and the e-mail each side receives (through the outbox)."""

from datetime import datetime

from sqlalchemy import select

from rgpd_app.accounts.models import RoleGrant, User
from rgpd_app.audits.models import AuditRequest
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.notifications.services import enqueue_email

PROCESSOR, MUNICIPALITY, BOTH = "processor", "municipality", "both"


def _holders(role: str, organisation_id: int | None = None) -> list[str]:
    stmt = (
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == role, RoleGrant.revoked_at.is_(None), User.is_enabled)
    )
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    return list(db.session.scalars(stmt.order_by(User.email)))


def recipients(item: AuditRequest, side: str) -> list[str]:
    """E-mail addresses of the processor's DPOs or the municipality's DPO(s), without repeats."""
    found: list[str] = []
    if side in (PROCESSOR, BOTH):
        found += _holders(roles.PROCESSOR_DPO)
    if side in (MUNICIPALITY, BOTH):
        found += _holders(roles.CONTROLLER_DPO, item.organisation_id)
        if item.organisation.dpo_email:
            found.append(item.organisation.dpo_email.lower())
    return list(dict.fromkeys(found))


def tell(
    item: AuditRequest, side: str, *, title: str, lines: list[str], now: datetime, event: str
) -> int:
    """Queue the generic notice e-mail to one side (or both); returns the number queued."""
    sent = 0
    for address in recipients(item, side):
        enqueue_email(
            to=address,
            template="notice",
            context={
                "subject": f"[RGPD] Audit {item.reference} — {title}",
                "title": title,
                "organisation_name": item.organisation.name,
                "lines": lines,
                "link": f"/audits/{item.id}",
                "link_label": "Voir l'audit",
            },
            organisation_id=item.organisation_id,
            event=("audit_request", f"{item.id}:{event}"),
            now=now,
        )
        sent += 1
    return sent
