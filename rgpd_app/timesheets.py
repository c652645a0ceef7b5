"""Billable time of the processor's staff, shared by the audits (annex art. 4.6) and the help
with data-subject requests (art. 4.3): the entry's columns, its recording rule, its billing row."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from deadlines import PARIS
from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.messages import N_


class TimeEntryColumns:
    """The columns of a time entry; the model adds its owner's foreign key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    worked_on: Mapped[date]
    minutes: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @declared_attr
    def user(cls):
        return relationship("User", lazy="joined")


def add_entry(model, data: dict, *, actor: Actor, now: datetime, **owner):
    """A new entry of `model` for `owner` (its foreign key), added and flushed; time is logged
    once spent, never ahead (the Paris day of `now` at the latest)."""
    if data["worked_on"] > now.astimezone(PARIS).date():
        raise ValidationFailed(
            {"worked_on": [N_("Le temps se saisit une fois passé, pas à l'avance.")]}
        )
    entry = model(
        **owner,
        user_id=actor.id,
        worked_on=data["worked_on"],
        minutes=data["minutes"],
        description=data["description"].strip(),
        created_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def billing_row(entry) -> dict:
    """The statement's row of an entry: day, person, work and minutes."""
    return {
        "worked_on": entry.worked_on,
        "person": entry.user.name or entry.user.email,
        "description": entry.description,
        "minutes": entry.minutes,
    }
