"""Generated municipalities for trying the product at scale (`flask rgpd demo --municipalities N`).

Each gets a valid SIREN (Luhn key), a département in turn (Moselle, Bas-Rhin and Haut-Rhin
included, for their local calendar), a DPO address and the first standard processings, through
the same services as the hand-made demo (journaled, checked); one commit per municipality.
"""

from datetime import datetime

from sqlalchemy import func, select

from rgpd_app.demo.data import PROCESSINGS
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.organisations import services as organisations
from rgpd_app.organisations.models import Organisation
from rgpd_app.organisations.rules import siren_is_valid
from rgpd_app.register import services as register

DEPARTEMENTS = ("35", "57", "67", "68", "22", "29", "44", "56", "69", "75", "13", "33")
PER_MUNICIPALITY = 5  # standard processings each generated municipality starts with


def siren(number: int) -> str:
    """The `number`-th SIREN of our generated range (prefix 299, not given by INSEE to communes),
    completed with its Luhn key."""
    stem = f"299{number:05d}"
    return next(stem + str(key) for key in range(10) if siren_is_valid(stem + str(key)))


def add_municipalities(count: int, *, actor: Actor, now: datetime) -> int:
    """Add `count` generated municipalities after those already generated; returns how many."""
    first = (
        db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.siren.like("299%"))
        )
        or 0
    )
    for number in range(first + 1, first + count + 1):
        code = DEPARTEMENTS[number % len(DEPARTEMENTS)]
        town = organisations.create_organisation(
            {
                "name": f"Commune de Démo-{number:05d}",
                "siren": siren(number),
                "departement": code,
                "address": f"{number} place de la Mairie, {code}000 Démo-{number:05d}",
                "dpo_name": f"DPO de Démo-{number:05d}",
                "dpo_email": f"dpo@demo-{number:05d}.example",
                "contract_reference": f"MAINT-DEMO-{number:05d}",
            },
            actor=None,
            now=now,
        )
        for data in PROCESSINGS[:PER_MUNICIPALITY]:
            register.add_activity({"controller_id": town.id, **data}, actor=actor, now=now)
        db.session.commit()
    return count
