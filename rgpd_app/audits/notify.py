"""Who hears about an audit step, and the e-mail each side receives (through the outbox)."""

from datetime import datetime

from rgpd_app.accounts.grants import emails_holding
from rgpd_app.audits.models import AuditRequest
from rgpd_app.foundation import roles
from rgpd_app.notifications.services import enqueue_email

PROCESSOR, MUNICIPALITY, BOTH = "processor", "municipality", "both"


def recipients(item: AuditRequest, side: str) -> list[str]:
    """E-mail addresses of the processor's DPOs or the municipality's DPO(s), without repeats."""
    found: list[str] = []
    if side in (PROCESSOR, BOTH):
        found += emails_holding((roles.PROCESSOR_DPO,))
    if side in (MUNICIPALITY, BOTH):
        found += emails_holding((roles.CONTROLLER_DPO,), organisation_id=item.organisation_id)
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
