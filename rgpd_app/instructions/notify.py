"""Who hears about an instruction, and the e-mail each side receives (through the outbox)."""

from datetime import datetime

from rgpd_app.accounts.grants import emails_holding
from rgpd_app.foundation import roles
from rgpd_app.instructions.models import Instruction
from rgpd_app.notifications.services import enqueue_email

PROCESSOR, MUNICIPALITY = "processor", "municipality"


def recipients(item: Instruction, side: str) -> list[str]:
    """The processor's DPOs, or the municipality's DPO(s) and instructors, without repeats."""
    if side == PROCESSOR:
        return emails_holding((roles.PROCESSOR_DPO,))
    found = emails_holding(
        (roles.CONTROLLER_DPO, roles.INSTRUCTOR), organisation_id=item.organisation_id
    )
    if item.organisation.dpo_email:
        found.append(item.organisation.dpo_email.lower())
    return list(dict.fromkeys(found))


def tell(
    item: Instruction, side: str, *, template: str, title: str, lines: list[str], now: datetime
) -> int:
    """Queue one `instruction_*` e-mail to each person of one side; returns how many."""
    sent = 0
    for address in recipients(item, side):
        enqueue_email(
            to=address,
            template=template,
            context={
                "reference": item.reference,
                "title": title,
                "organisation_name": item.organisation.name,
                "lines": lines,
                "link": f"/instructions/{item.id}",
                "link_label": "Voir l'instruction",
            },
            organisation_id=item.organisation_id,
            event=("instruction", f"{item.id}:{template}"),
            now=now,
        )
        sent += 1
    return sent
