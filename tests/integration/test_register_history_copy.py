"""History (versions, field diff, as-of-date, register as of a date) and copy-to-many."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from rgpd_app.errors import Forbidden, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.instructions.models import Instruction
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.register import copying, history, services
from rgpd_app.register.models import ProcessingActivity, RegisterTask


@pytest.fixture
def keeper(make_user, clock):
    return actor_for(make_user("processor_dpo"), clock())


@pytest.fixture
def town(make_org, clock):
    town = make_org("Ville de Forbach", departement="57")
    # The purpose cites a real written instruction of this municipality.
    db.session.add(
        Instruction(
            organisation_id=town.id,
            subject="Urbanisme",
            text="Instruire",
            effective_on=date(2026, 3, 2),
            given_at=clock(),
        )
    )
    db.session.commit()
    return town


def standard(controller_id):
    instruction_id = db.session.scalar(
        select(Instruction.id).where(Instruction.organisation_id == controller_id)
    )
    return {
        "controller_id": controller_id,
        "name": "Instruction des autorisations d'urbanisme",
        "purposes": [{"label": "Instruire les demandes", "instruction_id": instruction_id}],
        "legal_bases": ["legal_obligation"],
        "data_subjects": ["Pétitionnaires"],
        "data_categories": [
            {
                "label": "Identité",
                "purpose": "Instruire les demandes",
                "retention_value": 10,
                "retention_unit": "years",
            },
            {
                "label": "Empreintes",
                "purpose": "Instruire les demandes",
                "retention_criterion": "Durée de l'instruction",
                "is_special": True,
            },
        ],
        "recipients": ["Service instructeur"],
        "estimated_persons": 300,
        "operations": ["hosting"],
        "measures": [{"family": "encryption", "description": "TLS 1.3"}],
        "transfers": [
            {
                "country": "CH",
                "recipient": "Hébergeur de secours",
                "safeguard": "adequacy",
                "consent_by": "Le maire",
                "consent_on": date(2026, 2, 1),
                "consent_reference": "Courrier 2026-02",
            }
        ],
    }


def test_each_change_is_a_version_with_who_when_and_a_field_diff(keeper, town, clock):
    activity = services.create_activity(standard(town.id), actor=keeper, now=clock())
    clock.set(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    services.update_activity(
        activity.id,
        {"version": 1, "estimated_persons": 450, "name": "Urbanisme"},
        actor=keeper,
        now=clock(),
    )
    clock.set(datetime(2026, 3, 12, 8, 0, tzinfo=UTC))
    services.change_status(activity.id, "validated", actor=keeper, now=clock())
    _, page = history.list_history(activity.id, actor=keeper, now=clock())
    newest, middle, first = page.items
    assert [v.version for v in page.items] == [3, 2, 1]
    assert first.action == "created" and middle.action == "updated"
    changes = {c["field"]: c for c in json.loads(middle.changed_fields)}
    assert set(changes) == {"name", "estimated_persons"}
    assert changes["estimated_persons"]["before"] == "300"
    assert changes["estimated_persons"]["after"] == "450"
    assert middle.changed_by_email == keeper.user.email
    assert middle.changed_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    status = json.loads(newest.changed_fields)
    assert status == [
        {"field": "status", "label": "Statut", "before": "Brouillon", "after": "Validé"}
    ]


def test_the_entry_as_it_stood_on_a_past_date_in_paris_time(keeper, town, clock):
    activity = services.create_activity(standard(town.id), actor=keeper, now=clock())
    # 23:30 UTC on 10 March is already 11 March in Paris.
    clock.set(datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    services.update_activity(
        activity.id, {"version": 1, "name": "Urbanisme"}, actor=keeper, now=clock()
    )
    on_10 = history.as_of(activity.id, date(2026, 3, 10), actor=keeper, now=clock())
    on_11 = history.as_of(activity.id, date(2026, 3, 11), actor=keeper, now=clock())
    assert on_10["name"] == "Instruction des autorisations d'urbanisme"
    assert on_11["name"] == "Urbanisme"
    assert history.as_of(activity.id, date(2026, 3, 1), actor=keeper, now=clock()) is None


def test_the_register_as_of_a_date_lists_entries_existing_then(keeper, town, make_org, clock):
    first = services.create_activity(standard(town.id), actor=keeper, now=clock())
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    services.create_activity(
        standard(make_org().id) | {"name": "Cantine"}, actor=keeper, now=clock()
    )
    page = history.register_as_of(date(2026, 3, 15), actor=keeper, now=clock())
    assert [s["id"] for s in page.items] == [first.id] and page.total == 1
    later = history.register_as_of(date(2026, 4, 1), actor=keeper, now=clock())
    assert later.total == 2
    mine = history.register_as_of(
        date(2026, 4, 1), actor=keeper, now=clock(), controller_id=town.id
    )
    assert mine.total == 1


def test_copy_to_many_makes_independent_drafts_journaled_per_copy(
    keeper, town, make_org, make_user, clock
):
    source = services.create_activity(standard(town.id), actor=keeper, now=clock())
    services.change_status(source.id, "validated", actor=keeper, now=clock())
    make_user("processor_dpo")  # a colleague: tasks per copy, but no e-mail per copy
    others = [make_org(f"Commune {n}") for n in range(3)]
    copies = copying.copy_to_many(source.id, [o.id for o in others], actor=keeper, now=clock())
    assert [c.controller_id for c in copies] == [o.id for o in others]
    for copy in copies:
        assert copy.status == "draft" and copy.version == 1 and copy.copied_from_id == source.id
        assert [c.label for c in copy.data_categories] == ["Identité", "Empreintes"]
        # Instructions and consents belong to the source municipality.
        assert copy.purposes[0].instruction_id is None
        assert not copy.transfers[0].has_consent
    journal = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "register.copied")
    ).all()
    assert sorted(j.organisation_id for j in journal) == sorted(o.id for o in others)
    tasks = db.session.scalars(select(RegisterTask)).all()
    assert len(tasks) == 4  # the source and each copy hold special data
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    # Each copy lives on its own.
    services.update_activity(
        copies[0].id, {"version": 1, "name": "Urbanisme local"}, actor=keeper, now=clock()
    )
    assert db.session.get(ProcessingActivity, source.id).name.startswith("Instruction")
    assert copies[1].name.startswith("Instruction")


def test_copy_refuses_unknown_municipalities_and_other_roles(keeper, town, make_user, clock):
    source = services.create_activity(standard(town.id), actor=keeper, now=clock())
    with pytest.raises(ValidationFailed) as err:
        copying.copy_to_many(source.id, [town.id, 99999], actor=keeper, now=clock())
    assert err.value.fields["controller_ids"] == ["Collectivité inconnue : 99999."]
    dpo = actor_for(make_user("controller_dpo", town), clock())
    with pytest.raises(Forbidden):
        copying.copy_to_many(source.id, [town.id], actor=dpo, now=clock())
