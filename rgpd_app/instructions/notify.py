"""Who hears about an instruction, and the e-mail each side receives (through the outbox)."""

from datetime import datetime

from sqlalchemy import select

from rgpd_app.accounts.models import RoleGrant, User
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.instructions.models import Instruction
from rgpd_app.notifications.services import enqueue_email

PROCESSOR, MUNICIPALITY = "processor", "municipality"


def holders(role_names: tuple[str, ...], organisation_id: int | None = None) -> list[str]:
    stmt = (
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role.in_(role_names), RoleGrant.revoked_at.is_(None), User.is_enabled)
    )
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    return list(dict.fromkeys(db.session.scalars(stmt.order_by(User.email))))


def recipients(item: Instruction, side: str) -> list[str]:
    """The processor's DPOs, or the municipality's DPO(s) and instructors, without repeats."""
    if side == PROCESSOR:
        return holders((roles.PROCESSOR_DPO,))
    found = holders((roles.CONTROLLER_DPO, roles.INSTRUCTOR), item.organisation_id)
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
