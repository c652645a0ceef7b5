"""Register services on SQLite and PostgreSQL: create, update, concurrency, special data,
prohibited categories, transfers, statuses, sides and tenancy."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from rgpd_app.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.register import services
from rgpd_app.register.entries import activity_to_row
from rgpd_app.register.models import (
    ProcessingActivity,
    ProcessingVersion,
    RegisterTask,
    Subprocessor,
)


def payload(controller_id=None, **overrides) -> dict:
    data = {
        "name": "Instruction des autorisations d'urbanisme",
        "purposes": [{"label": "Instruire les permis de construire", "instruction_id": None}],
        "legal_bases": ["public_task"],
        "data_subjects": ["Pétitionnaires"],
        "data_categories": [
            {
                "label": "Identité du pétitionnaire",
                "purpose": "Instruire les permis de construire",
                "retention_value": 10,
                "retention_unit": "years",
                "retention_criterion": "",
                "is_special": False,
                "is_criminal": False,
            }
        ],
        "recipients": ["Service urbanisme"],
        "estimated_persons": 1200,
        "operations": ["hosting", "backup"],
        "measures": [{"family": "backup", "description": "Sauvegarde quotidienne chiffrée"}],
        "transfers": [],
    }
    if controller_id is not None:
        data["controller_id"] = controller_id
    data.update(overrides)
    return data


@pytest.fixture
def town(make_org):
    return make_org("Ville de Thionville", departement="57")


@pytest.fixture
def actor(make_user, clock):
    def make(role, org=None, **grant):
        return actor_for(make_user(role, org, **grant), clock())

    return make


@pytest.fixture
def keeper(actor):
    return actor("processor_dpo")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_processor_dpo_files_an_entry_with_a_first_version_and_a_journal_row(
    keeper, town, clock
):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    described = services.describe(activity)
    assert activity.status == "draft" and activity.version == 1
    assert described.completeness.percent == 100 and described.problems == []
    version = db.session.scalar(select(ProcessingVersion))
    assert version.action == "created" and version.changed_by_email == keeper.user.email
    assert json.loads(version.snapshot)["name"] == activity.name
    assert (
        db.session.scalar(
            select(JournalEntry).where(JournalEntry.action == "register.created")
        ).organisation_id
        == town.id
    )


def test_the_controller_dpo_files_for_its_own_municipality_only(actor, town, make_org, clock):
    dpo = actor("controller_dpo", town)
    mine = services.create_activity(payload(operations=[], measures=[]), actor=dpo, now=clock())
    assert mine.controller_id == town.id
    with pytest.raises(NotFound):
        services.create_activity(
            payload(make_org().id, operations=[], measures=[]), actor=dpo, now=clock()
        )


def test_the_controller_dpo_cannot_write_the_processor_side(actor, town, clock):
    dpo = actor("controller_dpo", town)
    with pytest.raises(Forbidden, match="volet sous-traitant"):
        services.create_activity(payload(), actor=dpo, now=clock())
    before = count(ProcessingActivity)
    data = payload(operations=[], measures=[])
    activity = services.create_activity(data, actor=dpo, now=clock())
    # Sending back the processor side unchanged is fine; changing it is refused.
    same = {"version": 1, "operations": [], "recipients": ["Service urbanisme", "Notaires"]}
    assert services.update_activity(activity.id, same, actor=dpo, now=clock()).version == 2
    with pytest.raises(Forbidden):
        services.update_activity(
            activity.id, {"version": 2, "operations": ["hosting"]}, actor=dpo, now=clock()
        )
    assert count(ProcessingActivity) == before + 1


@pytest.mark.parametrize("role", ["support", "security_officer", "admin"])
def test_processor_staff_other_than_the_dpo_cannot_edit(actor, role, town, clock):
    with pytest.raises(Forbidden):
        services.create_activity(payload(town.id), actor=actor(role), now=clock())


def test_instructor_and_auditor_cannot_edit(actor, keeper, town, clock):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    today = clock().date()
    for reader in (
        actor("instructor", town),
        actor("auditor", town, controller_id=town.id, valid_from_on=today, valid_until_on=today),
    ):
        assert services.get_activity(activity.id, actor=reader, now=clock()).activity == activity
        with pytest.raises(Forbidden):
            services.update_activity(activity.id, {"version": 1}, actor=reader, now=clock())


def test_admin_never_reads_the_register(actor, keeper, town, clock):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    with pytest.raises(Forbidden):
        services.get_activity(activity.id, actor=actor("admin"), now=clock())


def test_a_foreign_municipality_is_not_found(actor, keeper, town, make_org, clock):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    stranger = actor("controller_dpo", make_org("Ville de Metz"))
    with pytest.raises(NotFound):
        services.get_activity(activity.id, actor=stranger, now=clock())
    with pytest.raises(NotFound):
        services.update_activity(activity.id, {"version": 1}, actor=stranger, now=clock())


def test_a_stale_version_is_refused_with_a_conflict_and_changes_nothing(keeper, town, clock):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    services.update_activity(
        activity.id, {"version": 1, "name": "Urbanisme"}, actor=keeper, now=clock()
    )
    with pytest.raises(Conflict, match="version 2"):
        services.update_activity(
            activity.id, {"version": 1, "name": "Écrasé"}, actor=keeper, now=clock()
        )
    db.session.rollback()
    assert db.session.get(ProcessingActivity, activity.id).name == "Urbanisme"


def test_an_update_without_version_is_refused(keeper, town, clock):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    with pytest.raises(ValidationFailed) as err:
        services.update_activity(activity.id, {"name": "Sans version"}, actor=keeper, now=clock())
    assert "version" in err.value.fields


def test_a_prohibited_category_is_refused_naming_it_and_nothing_is_written(keeper, town, clock):
    data = payload(town.id)
    data["data_categories"].append(
        {
            "label": "Opinions politiques des élus",
            "purpose": "",
            "is_special": True,
            "is_criminal": False,
            "retention_value": None,
            "retention_unit": None,
            "retention_criterion": "",
        }
    )
    before = (count(ProcessingActivity), count(JournalEntry), count(OutboxMessage))
    with pytest.raises(ValidationFailed) as err:
        services.create_activity(data, actor=keeper, now=clock())
    assert "« opinions politiques »" in err.value.fields["data_categories.1.label"][0]
    db.session.rollback()
    assert (count(ProcessingActivity), count(JournalEntry), count(OutboxMessage)) == before


def test_the_prohibited_list_comes_from_the_configuration(app, keeper, town, clock):
    app.config["PROHIBITED_CATEGORIES"] = "biométrie|empreintes"
    data = payload(town.id)
    data["data_categories"][0]["label"] = "Empreintes digitales"
    with pytest.raises(ValidationFailed) as err:
        services.create_activity(data, actor=keeper, now=clock())
    assert "« biométrie »" in err.value.fields["data_categories.0.label"][0]


def test_flagging_special_data_informs_the_processor_raises_a_task_and_notifies(
    actor, make_user, town, clock
):
    keeper_user = make_user("processor_dpo")
    dpo = actor("controller_dpo", town)
    activity = services.create_activity(payload(operations=[], measures=[]), actor=dpo, now=clock())
    assert count(RegisterTask) == 0
    categories = activity_categories(activity)
    categories.append(
        {
            "label": "Mention de condamnations",
            "purpose": "Instruire les permis de construire",
            "is_criminal": True,
            "retention_criterion": "Durée de l'instruction",
        }
    )
    services.update_activity(
        activity.id, {"version": 1, "data_categories": categories}, actor=dpo, now=clock()
    )
    flagged = [c for c in activity.data_categories if c.is_criminal][0]
    assert flagged.processor_informed_at == clock() and flagged.processor_informed_by_id == dpo.id
    task = db.session.scalar(select(RegisterTask))
    assert task.kind == "reinforced_security" and task.done_at is None
    assert "Mention de condamnations" in task.details
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == keeper_user.email and mail.template == "register_special_data"
    assert "Mention de condamnations" in mail.body_text and "Ville de Thionville" in mail.body_text
    # Saving again with the same flag informs nobody twice.
    services.update_activity(
        activity.id, {"version": 2, "recipients": ["Notaires"]}, actor=dpo, now=clock()
    )
    assert count(RegisterTask) == 1 and count(OutboxMessage) == 1


def activity_categories(activity):
    return [
        {
            k: getattr(c, k)
            for k in (
                "label",
                "purpose",
                "retention_value",
                "retention_unit",
                "retention_criterion",
                "is_special",
                "is_criminal",
            )
        }
        for c in activity.data_categories
    ]


def test_the_processor_dpo_marks_the_task_done(actor, keeper, town, clock):
    data = payload(town.id)
    data["data_categories"][0]["is_special"] = True
    data["data_categories"][0]["label"] = "Empreintes digitales"
    activity = services.create_activity(data, actor=keeper, now=clock())
    task = db.session.scalar(select(RegisterTask).where(RegisterTask.activity_id == activity.id))
    with pytest.raises(Forbidden):
        services.complete_task(task.id, actor=actor("controller_dpo", town), now=clock())
    assert services.complete_task(task.id, actor=keeper, now=clock()).done_at == clock()


def test_a_transfer_without_consent_is_pending_and_blocks_validation(keeper, town, clock):
    transfer = {"country": "IN", "recipient": "Infogérant de Bangalore", "safeguard": "sccs"}
    activity = services.create_activity(
        payload(town.id, transfers=[transfer]), actor=keeper, now=clock()
    )
    described = services.describe(activity)
    assert described.entry["transfers"][0]["status"] == "pending_consent"
    assert any("consentement préalable en attente" in p for p in described.problems)
    with pytest.raises(DomainError, match="consentement préalable en attente"):
        services.change_status(activity.id, "validated", actor=keeper, now=clock())
    consented = transfer | {
        "country": "IN",
        "consent_by": "M. le Maire",
        "consent_on": date(2026, 2, 1),
        "consent_reference": "Courrier 2026-14",
    }
    services.update_activity(
        activity.id, {"version": 1, "transfers": [consented]}, actor=keeper, now=clock()
    )
    assert services.describe(activity).problems == []
    assert services.change_status(activity.id, "validated", actor=keeper, now=clock()).status == (
        "validated"
    )


def test_validation_is_refused_while_incomplete_listing_what_is_missing(keeper, actor, town, clock):
    activity = services.create_activity(
        {"controller_id": town.id, "name": "Cantine"}, actor=keeper, now=clock()
    )
    with pytest.raises(DomainError) as err:
        services.change_status(activity.id, "validated", actor=keeper, now=clock())
    assert err.value.code == "incomplete"
    assert "Au moins une finalité" in err.value.fields["_schema"]
    with pytest.raises(Forbidden):
        services.change_status(
            activity.id, "validated", actor=actor("controller_dpo", town), now=clock()
        )


def test_statuses_draft_validated_archived_and_a_change_sends_back_to_draft(keeper, town, clock):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    services.change_status(activity.id, "validated", actor=keeper, now=clock())
    assert activity.version == 2 and activity.validated_at == clock()
    services.update_activity(
        activity.id, {"version": 2, "estimated_persons": 1300}, actor=keeper, now=clock()
    )
    assert activity.status == "draft"
    services.change_status(activity.id, "archived", actor=keeper, now=clock())
    with pytest.raises(DomainError, match="archivé"):
        services.update_activity(
            activity.id, {"version": 4, "name": "Z"}, actor=keeper, now=clock()
        )
    with pytest.raises(DomainError, match="Passage impossible"):
        services.change_status(activity.id, "validated", actor=keeper, now=clock())


def test_an_unchanged_save_keeps_the_version(keeper, town, clock):
    activity = services.create_activity(payload(town.id), actor=keeper, now=clock())
    services.update_activity(activity.id, payload(version=1), actor=keeper, now=clock())
    assert activity.version == 1 and count(ProcessingVersion) == 1


def test_subprocessors_are_linked_and_unknown_ones_refused(keeper, town, clock):
    host = Subprocessor(legal_name="OVH SAS", country="FR", created_at=clock())
    db.session.add(host)
    db.session.commit()
    activity = services.create_activity(
        payload(town.id, subprocessor_ids=[host.id]), actor=keeper, now=clock()
    )
    assert [s.legal_name for s in activity.subprocessors] == ["OVH SAS"]
    with pytest.raises(ValidationFailed) as err:
        services.update_activity(
            activity.id, {"version": 1, "subprocessor_ids": [9999]}, actor=keeper, now=clock()
        )
    assert err.value.fields == {"subprocessor_ids": ["Sous-traitant ultérieur inconnu : 9999."]}


def test_the_flat_row_joins_lists_and_aligns_child_columns(keeper, town, clock):
    data = payload(
        town.id, transfers=[{"country": "CH", "recipient": "Hébergeur", "safeguard": "adequacy"}]
    )
    data["data_categories"].append(
        {
            "label": "Empreintes",
            "purpose": "Instruire les permis de construire",
            "retention_criterion": "Fin de l'instruction",
            "is_special": True,
        }
    )
    activity = services.create_activity(data, actor=keeper, now=clock())
    row = activity_to_row(activity)
    assert row["controller_siren"] == town.siren
    assert row["data_categories"] == "Identité du pétitionnaire | Empreintes"
    assert row["data_category_retentions"] == "10 ans | Fin de l'instruction"
    assert row["data_category_sensitive"] == "Non | Art. 9"
    assert row["transfer_consents"] == "En attente"
    assert row["operations"] == "Hébergement | Sauvegarde"
    assert row["updated_at"] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC).isoformat()


def test_the_processor_dpo_flagging_notifies_the_other_processor_dpos_only(
    keeper, make_user, town, clock
):
    colleague = make_user("processor_dpo")
    data = payload(town.id)
    data["data_categories"][0].update(label="Casier judiciaire", is_criminal=True)
    services.create_activity(data, actor=keeper, now=clock())
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [colleague.email]


def test_a_purpose_cannot_cite_another_municipalitys_instruction(app, make_org, make_user, clock):
    from datetime import date

    from rgpd_app.errors import ValidationFailed
    from rgpd_app.extensions import db
    from rgpd_app.foundation.actor import actor_for
    from rgpd_app.instructions.models import Instruction
    from rgpd_app.register import services
    from rgpd_app.register.models import ProcessingActivity

    mine, other = make_org("Ville A"), make_org("Ville B")
    foreign = Instruction(
        organisation_id=other.id,
        subject="S",
        text="T",
        effective_on=date(2026, 3, 2),
        given_at=clock(),
    )
    db.session.add(foreign)
    db.session.commit()
    keeper = actor_for(make_user("processor_dpo"), clock())
    payload = {
        "controller_id": mine.id,
        "name": "État civil",
        "purposes": [{"label": "Délivrer les actes", "instruction_id": foreign.id}],
    }
    with pytest.raises(ValidationFailed) as err:
        services.create_activity(payload, actor=keeper, now=clock())
    assert "purposes.0.instruction_id" in err.value.fields
    assert db.session.scalar(db.select(db.func.count(ProcessingActivity.id))) == 0
