"""Helpers shared by the breach tests (plain functions; fixtures stay in each test file)."""

from datetime import UTC, datetime

from rgpd_app.breaches import services
from rgpd_app.foundation.actor import actor_for


def facts(**overrides) -> dict:
    """Valid facts of a breach, as loaded by the Input schema (instants aware UTC)."""
    values = {
        "started_at": datetime(2026, 3, 1, 22, 0, tzinfo=UTC),
        "ended_at": datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        "is_ongoing": False,
        "aware_at": datetime(2026, 3, 2, 7, 30, tzinfo=UTC),
        "discovery": "Alerte de l'antivirus sur le serveur de fichiers",
        "description": "Un rançongiciel a chiffré le partage des services techniques.",
        "natures": ["availability", "confidentiality"],
        "origin": "Pièce jointe piégée",
        "cause": "external_malicious",
        "data_categories": ["État civil", "Coordonnées"],
        "person_categories": ["Usagers"],
        "persons_count": 1200,
        "records_count": 3400,
        "consequences": "Indisponibilité du service, divulgation possible",
        "measures_taken": "Serveur isolé, mots de passe changés",
        "measures_planned": "Restauration depuis la sauvegarde",
        "prior_measures": "Sauvegardes quotidiennes, antivirus",
        "contact_point": "RSSI, securite@logiciels.example, 01 02 03 04 05",
    }
    values.update(overrides)
    return values


def actor(user, clock):
    return actor_for(user, clock())


def record(user, clock, orgs, **overrides):
    data = {**facts(**overrides), "organisation_ids": [o.id for o in orgs]}
    return services.record_breach(data, actor=actor(user, clock), now=clock())
