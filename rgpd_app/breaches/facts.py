"""The facts of a breach: snapshots kept by each update, and their French presentation."""

import json
from datetime import datetime

from deadlines import format_instant_fr
from rgpd_app.breaches import rules
from rgpd_app.breaches.models import Breach

_LISTS = ("natures", "data_categories", "person_categories")
_INSTANTS = ("started_at", "ended_at", "aware_at")

LABELS = {
    "started_at": "Début de la violation",
    "ended_at": "Fin de la violation",
    "is_ongoing": "Toujours en cours",
    "aware_at": "Prise de connaissance par le sous-traitant",
    "discovery": "Circonstances de la découverte",
    "description": "Ce qui s'est passé",
    "natures": "Nature",
    "origin": "Origine",
    "cause": "Cause",
    "data_categories": "Catégories de données",
    "person_categories": "Catégories de personnes",
    "persons_count": "Nombre approximatif de personnes",
    "records_count": "Nombre approximatif d'enregistrements",
    "consequences": "Conséquences probables",
    "measures_taken": "Mesures prises",
    "measures_planned": "Mesures envisagées",
    "prior_measures": "Mesures de sécurité en place avant la violation",
    "contact_point": "Point de contact",
}


def current(breach: Breach) -> dict:
    """The latest facts, as Python values (lists decoded, instants aware UTC)."""
    values = {name: getattr(breach, name) for name in rules.FACT_FIELDS}
    for name in _LISTS:
        values[name] = json.loads(values[name] or "[]")
    return values


def to_json(values: dict) -> dict:
    """JSON-ready facts: instants as ISO 8601 UTC."""
    return {
        name: (value.isoformat() if isinstance(value, datetime) else value)
        for name, value in values.items()
    }


def apply(breach: Breach, values: dict) -> list[str]:
    """Set the fact columns from `values`; returns the names that changed."""
    changed = []
    old = current(breach)
    for name in rules.FACT_FIELDS:
        if name not in values or values[name] == old[name]:
            continue
        value = values[name]
        setattr(breach, name, json.dumps(value, ensure_ascii=False) if name in _LISTS else value)
        changed.append(name)
    return changed


def text(name: str, value) -> str:
    """One fact as people read it (instants in Europe/Paris)."""
    if value is None or value == "" or value == []:
        return "non renseigné" if name != "ended_at" else "—"
    if name in _INSTANTS:
        return format_instant_fr(value)
    if name == "natures":
        return ", ".join(rules.NATURES.get(v, v) for v in value)
    if name == "cause":
        return rules.CAUSES.get(value, value)
    if name == "is_ongoing":
        return "oui" if value else "non"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def described(values: dict) -> list[tuple[str, str]]:
    """(label, text) for every fact, in the form's order."""
    return [(LABELS[name], text(name, values[name])) for name in rules.FACT_FIELDS]
