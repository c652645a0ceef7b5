"""Factories shared by the audit tests (imported by tests/*/test_audits_*.py)."""

from datetime import UTC, date, datetime

import pytest

from rgpd_app.audits.storage import Upload
from rgpd_app.foundation.actor import actor_for

NOTICE_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Paris
START_OK = date(2026, 4, 2)  # latest notice day: Monday 2 March (30 whole days before)


def nda(name="accord.pdf", content=b"%PDF-1.4 signed NDA"):
    return Upload(name, content, "application/pdf")


def auditor(i=0, **over):
    values = {
        "name": f"Claire Martin {i}",
        "firm": "Cabinet Vérif",
        "reference": f"CV-2026-{i:02d}",
        "email": f"auditeur{i}@verif.example",
    }
    values.update(over)
    return values


def request_data(**over):
    values = {
        "start_on": START_OK,
        "end_on": date(2026, 4, 3),
        "scope": "Gestion des accès à l'application état civil",
        "period_from": date(2025, 1, 1),
        "period_to": date(2025, 12, 31),
        "auditors": [auditor()],
        "ask_agreement": False,
        "reaudit_of_id": None,
    }
    values.update(over)
    return values


@pytest.fixture
def town(make_org):
    return make_org("Metz-Ville", departement="57")


@pytest.fixture
def other_town(make_org):
    return make_org("Rennes-Ville", departement="35")


@pytest.fixture
def people(make_user, town, clock):
    """Actors at the clock's instant: the processor's DPO and the town's DPO."""
    clock.set(NOTICE_AT)
    pdpo = make_user("processor_dpo", email="dpo@logiciels.example")
    cdpo = make_user("controller_dpo", town, email="dpo@metz.example")

    class People:
        processor_dpo = pdpo
        controller_dpo = cdpo

        @staticmethod
        def actor(user):
            return actor_for(user, clock())

    return People


@pytest.fixture
def requested(people, clock):
    """An audit requested by the town's DPO on Monday 2 March 2026 for Thursday 2 April."""
    from rgpd_app.audits import submission

    return submission.request_audit(
        request_data(), [nda()], actor=people.actor(people.controller_dpo), now=clock()
    )
