"""The dashboard: what waits for the signed-in user now, by domain, across municipalities.

It gathers the running clocks of "Mes échéances" (each domain's providers) and the to-do
items without a clock (task providers), groups them by the navigation's sections, counts them
and marks the overdue ones. Filtering by municipality is by id (a link on each item) or by a
part of its name, matched without accents or case (no list of 1,500 municipalities to pick).
"""

from dataclasses import dataclass, field
from datetime import datetime

from rgpd_app.clocks import rules as clock_rules
from rgpd_app.clocks.services import Echeance, Task, echeances_for, tasks_for
from rgpd_app.foundation.actor import Actor
from rgpd_app.navigation import SECTIONS
from rgpd_app.register.rules import normalize

# An échéance's kind starts with its domain's word; the word says which section it is under.
KIND_SECTIONS = {
    "audit": "audits",
    "breach": "breaches",
    "deposit": "files",
    "instruction": "subprocessing",
    "request": "requests",
    "subprocessor": "subprocessing",
    "contract": "admin",
}


@dataclass
class Item:
    title: str
    url: str
    organisation_name: str
    organisation_id: int | None
    sort_key: tuple
    deadline: str = ""  # "vendredi 11 décembre 2026, jusqu'à 24:00 (heure de Paris)"
    left: str = ""  # "reste 2 jours et 5 heures" / "échue depuis 3 heures"
    hours_left: int | None = None  # hour clocks (72 h): whole hours left, negative once late
    overdue: bool = False
    action: str = ""  # tasks: what to do


@dataclass
class Domain:
    key: str
    label: str
    items: list[Item] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


def _from_echeance(e: Echeance, now: datetime) -> Item:
    delta_hours = int((e.due_at - now).total_seconds() // 3600)
    return Item(
        title=e.title,
        url=e.url,
        organisation_name=e.organisation_name,
        organisation_id=e.organisation_id,
        sort_key=(0, e.due_at),
        deadline=clock_rules.deadline_fr(e.deadline),
        left=clock_rules.time_left_fr(e.due_at, now),
        hours_left=delta_hours if e.is_timed else None,
        overdue=clock_rules.is_overdue(e.due_at, now),
    )


def _from_task(t: Task) -> Item:
    return Item(
        title=t.title,
        url=t.url,
        organisation_name=t.organisation_name,
        organisation_id=t.organisation_id,
        sort_key=(1, t.since),
        action=t.action,
    )


def _kept(organisation_id, organisation_name, wanted_id: int | None, wanted_name: str) -> bool:
    if wanted_id is not None and organisation_id != wanted_id:
        return False
    return not wanted_name or wanted_name in normalize(organisation_name)


def todo_for(
    actor: Actor, *, now: datetime, organisation_id: int | None = None, organisation_q: str = ""
) -> list[Domain]:
    """The actor's domains with something waiting, in the menu's order; overdue first, then
    the nearest deadline, then the oldest task."""
    wanted = normalize(organisation_q.strip())
    domains = {s.key: Domain(s.key, str(s.label)) for s in SECTIONS}
    for e in echeances_for(actor, now=now):
        if _kept(e.organisation_id, e.organisation_name, organisation_id, wanted):
            section = KIND_SECTIONS.get(e.kind.split("-", 1)[0], "dashboard")
            domains[section].items.append(_from_echeance(e, now))
    for t in tasks_for(actor, now=now):
        if _kept(t.organisation_id, t.organisation_name, organisation_id, wanted):
            domains[t.domain if t.domain in domains else "dashboard"].items.append(_from_task(t))
    for domain in domains.values():
        domain.items.sort(key=lambda item: (not item.overdue, item.sort_key))
    return [d for d in domains.values() if d.items]
