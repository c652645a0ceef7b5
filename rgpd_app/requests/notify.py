"""Who hears about a request, and the e-mail each side receives (through the outbox).

E-mails never carry the requester's identity nor the request's words: the outbox keeps
messages in clear, so they say what happened and link to the page where it can be read.
"""

from datetime import datetime

from rgpd_app.accounts.grants import emails_holding
from rgpd_app.foundation import roles
from rgpd_app.notifications.services import enqueue_email
from rgpd_app.requests import rules
from rgpd_app.requests.models import SubjectRequest

PROCESSOR, MUNICIPALITY = "processor", "municipality"


def recipients(item: SubjectRequest, side: str) -> list[str]:
    if side == PROCESSOR:
        return emails_holding((roles.PROCESSOR_DPO,))
    found = emails_holding((roles.CONTROLLER_DPO,), organisation_id=item.organisation_id)
    if item.organisation.dpo_email:
        found.append(item.organisation.dpo_email.lower())
    return list(dict.fromkeys(found))


def tell(
    item: SubjectRequest, side: str, *, template: str, title: str, lines: list[str], now: datetime
) -> list[str]:
    """Queue one `request_*` e-mail to each person of one side; returns the addresses."""
    addresses = recipients(item, side)
    for address in addresses:
        enqueue_email(
            to=address,
            template=template,
            context={
                "reference": item.reference,
                "kind": rules.KINDS[item.kind],
                "title": title,
                "organisation_name": item.organisation.name,
                "lines": lines,
                "link": f"/requests/{item.id}",
                "link_label": "Voir la demande",
            },
            organisation_id=item.organisation_id,
            event=("subject_request", f"{item.id}:{template}"),
            now=now,
        )
    return addresses
