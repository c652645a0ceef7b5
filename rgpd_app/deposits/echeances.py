"""Deposits still held: "Mes échéances" shows when each must be destroyed at the latest."""

from datetime import datetime

from sqlalchemy import select

from rgpd_app.clocks.services import Echeance
from rgpd_app.deposits import rules
from rgpd_app.deposits.access import max_days
from rgpd_app.deposits.models import Deposit
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope

ACTORS = (*rules.HANDLERS, rules.CONTROLLER_DPO)


def deposit_echeances(actor: Actor, now: datetime) -> list[Echeance]:
    """Every held deposit, due `RGPD_DEPOSIT_MAX_DAYS` days after it arrived or was made."""
    if not actor.has(*ACTORS):
        return []
    days = max_days()
    stmt = scope(select(Deposit), Deposit.organisation_id, actor)
    stmt = stmt.where(Deposit.state.in_(rules.HELD)).order_by(Deposit.created_at)
    items = []
    for deposit in db.session.scalars(stmt):
        due = rules.destroy_by(deposit.created_at, days)
        late = now > due
        title = f"Dépôt n° {deposit.id} ({rules.DIRECTION_LABELS[deposit.direction].lower()}) : "
        title += f"conservé plus de {days} jours, à détruire" if late else "à détruire au plus tard"
        items.append(
            Echeance(
                uid=f"deposit-{deposit.id}-destroy",
                kind="deposit-destroy",
                title=title,
                organisation_name=deposit.organisation.name if deposit.organisation else "—",
                due_at=due,
                deadline=due,
                steps=(f"Conservation maximale : {days} jours après la réception ou l'envoi.",),
                url=f"/deposits/{deposit.id}",
                organisation_id=deposit.organisation_id,
            )
        )
    return items
