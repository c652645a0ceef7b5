"""Designating processings by name, in place of a list of all of them (45,000 entries in
1,500 municipalities): a breach concerns "Hébergement du logiciel de paie" wherever it is kept.

A typed line is matched on the names of the processings the actor sees (case ignored, part of a
name allowed); it must designate one name — the processings of that name, in the municipalities
chosen when some are, are then all designated."""

import re

from sqlalchemy import select

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope
from rgpd_app.messages import N_
from rgpd_app.paging import contains
from rgpd_app.register.models import ProcessingActivity as PA

NAMES_SHOWN = 10


def _names_like(text: str, actor: Actor, controller_ids) -> list[str]:
    stmt = select(PA.name).distinct().where(contains(PA.name, text), PA.archived_at.is_(None))
    if controller_ids:
        stmt = stmt.where(PA.controller_id.in_(controller_ids))
    stmt = scope(stmt, PA.controller_id, actor).order_by(PA.name).limit(NAMES_SHOWN + 1)
    return list(db.session.scalars(stmt))


def activity_ids_named(
    text: str, *, actor: Actor, field: str, controller_ids: list[int] | None = None
) -> list[int]:
    """The processings designated by `text`, one name (or part of a name) per line; every line
    that designates no name, or several, is named in one ValidationFailed on `field`."""
    names, problems = [], []
    for line in (part.strip() for part in re.split(r"[\n;]", text)):
        if not line:
            continue
        found = _names_like(line, actor, controller_ids)
        exact = [n for n in found if n.lower() == line.lower()]
        if len(found) == 1 or len(exact) == 1:
            names.append((exact or found)[0])
        elif not found:
            problems.append(N_("Aucun traitement ne s'appelle « %(name)s ».", name=line))
        else:
            shown = " ; ".join(found[:NAMES_SHOWN]) + (" …" if len(found) > NAMES_SHOWN else "")
            problems.append(
                N_("Plusieurs traitements correspondent à « %(name)s » : %(names)s.",
                   name=line, names=shown)
            )  # fmt: skip
    if problems:
        raise ValidationFailed({field: problems})
    if not names:
        return []
    stmt = select(PA.id).where(PA.name.in_(names), PA.archived_at.is_(None))
    if controller_ids:
        stmt = stmt.where(PA.controller_id.in_(controller_ids))
    return list(db.session.scalars(scope(stmt, PA.controller_id, actor).order_by(PA.id)))
