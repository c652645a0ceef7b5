"""Factories shared by the instruction tests (imported by tests/*/test_instructions_*.py)."""

from datetime import UTC, date, datetime

import pytest

from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.instructions.storage import Upload
from rgpd_app.register.models import ProcessingActivity

GIVEN_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Paris


def attachment(name="lettre.pdf", content=b"%PDF-1.4 lettre du maire"):
    return Upload(name, content, "application/pdf")


def instruction_data(activity_ids, **over):
    values = {
        "subject": "Durée de conservation des demandes d'état civil",
        "text": "Supprimer les demandes d'actes au-delà de 2 ans.",
        "effective_on": date(2026, 3, 9),
        "activity_ids": list(activity_ids),
        "supersedes_id": None,
    }
    values.update(over)
    return values


@pytest.fixture
def metz(make_org):
    return make_org("Metz-Ville", departement="57")


@pytest.fixture
def rennes(make_org):
    return make_org("Rennes-Ville", departement="35")


@pytest.fixture
def make_activity(app, clock):
    def make(org, name="État civil"):
        activity = ProcessingActivity(
            controller_id=org.id, name=name, created_at=clock(), updated_at=clock()
        )
        db.session.add(activity)
        db.session.commit()
        return activity

    return make


@pytest.fixture
def staff(make_user, metz, clock):
    """The processor's DPO and support, the metz's DPO and instructor, at GIVEN_AT."""
    clock.set(GIVEN_AT)

    class People:
        processor_dpo = make_user("processor_dpo", email="dpo@logiciels.example")
        support = make_user("support", email="support@logiciels.example")
        controller_dpo = make_user("controller_dpo", metz, email="dpo@metz.example")
        instructor = make_user("instructor", metz, email="maire@metz.example")

        @staticmethod
        def actor(user):
            return actor_for(user, clock())

    return People


@pytest.fixture
def given(staff, make_activity, metz, clock):
    """An instruction given by the metz's instructor on one processing, effective 9 March."""
    from rgpd_app.instructions import services

    activity = make_activity(metz)
    return services.record_instruction(
        instruction_data([activity.id]),
        [attachment()],
        actor=staff.actor(staff.instructor),
        now=clock(),
    )
