"""Factories shared by the data-subject request tests (tests/*/test_requests_*.py).

They reuse `metz`, `rennes` and `staff` from tests/instructions_support.py.
"""

import pytest

IDENTITY = "Jeanne Martin, 3 rue des Tanneurs, 57000 Metz, jeanne.martin@courriel.example"


def record_data(organisation_id, **over):
    values = {
        "organisation_id": organisation_id,
        "kind": "access",
        "channel": "letter",
        "requester_identity": IDENTITY,
        "details": "Je demande copie de mes données d'état civil.",
    }
    values.update(over)
    return values


@pytest.fixture
def recorded(staff, metz, clock):
    """A request that reached the processor's support by letter on Monday 2 March 2026."""
    from rgpd_app.requests import recording

    return recording.record_request(
        record_data(metz.id), actor=staff.actor(staff.support), now=clock()
    )


@pytest.fixture
def assisted(recorded, staff, clock):
    """The town's DPO asks for help with it at once: the assistance clock starts on 2 March."""
    from rgpd_app.requests import recording

    return recording.ask_assistance(
        {"request_id": recorded.id, "question": "Extraire les actes de Jeanne."},
        actor=staff.actor(staff.controller_dpo),
        now=clock(),
    )
