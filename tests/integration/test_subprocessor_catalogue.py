"""Catalogue services on SQLite and PostgreSQL: entries, transfers, chain, municipality view."""

import json

import pytest
from sqlalchemy import func, select

from rgpd_app.errors import Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.register.models import Subprocessor
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.catalogue import ChainRefused
from tests.subprocessor_support import add_processing, sub_data

catalogue = services.catalogue


def actions(prefix: str) -> list[str]:
    stmt = select(JournalEntry.action).where(JournalEntry.action.startswith(prefix))
    return list(db.session.scalars(stmt.order_by(JournalEntry.id)))


def test_the_processor_dpo_files_an_entry_and_the_journal_keeps_it(sub_world, clock):
    sub = db.session.get(Subprocessor, sub_world.sub.id)
    assert json.loads(sub.activities) == ["hosting", "backup"] and not sub.is_outside_eea
    assert actions("subprocessor.") == ["subprocessor.created"]
    catalogue.update_subprocessor(
        sub.id, sub_data(contact="Autre"), actor=sub_world.dpo, now=clock()
    )
    assert actions("subprocessor.")[-1] == "subprocessor.updated"


def test_bad_entry_lists_every_error_and_writes_nothing(sub_world, clock):
    before = db.session.scalar(select(func.count()).select_from(Subprocessor))
    with pytest.raises(ValidationFailed) as err:
        catalogue.create_subprocessor(
            sub_data(legal_name="Hébergeur Armor SAS", country="XY", activities=["danse"]),
            actor=sub_world.dpo,
            now=clock(),
        )
    assert set(err.value.fields) == {"legal_name", "country", "activities"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Subprocessor)) == before


def test_processing_outside_the_eea_needs_a_mechanism_from_the_register_lists(sub_world, clock):
    data = sub_data(legal_name="Cloud Inde", processing_countries=["FR", "IN"])
    with pytest.raises(ValidationFailed) as err:
        catalogue.create_subprocessor(data, actor=sub_world.dpo, now=clock())
    assert "transfer_mechanism" in err.value.fields
    db.session.rollback()
    with pytest.raises(ValidationFailed) as err:
        catalogue.create_subprocessor(
            {**data, "transfer_mechanism": "adequacy"}, actor=sub_world.dpo, now=clock()
        )
    assert "IN" in err.value.fields["transfer_mechanism"][0]
    db.session.rollback()
    sub = catalogue.create_subprocessor(
        {**data, "transfer_mechanism": "sccs"}, actor=sub_world.dpo, now=clock()
    )
    assert sub.is_outside_eea and sub.transfer_mechanism == "sccs"
    back = catalogue.update_subprocessor(
        sub.id,
        {**data, "processing_countries": ["FR"], "transfer_mechanism": "sccs"},
        actor=sub_world.dpo,
        now=clock(),
    )
    assert not back.is_outside_eea and back.transfer_mechanism == ""


def test_chain_records_further_levels_and_refuses_a_loop(sub_world, clock):
    second = catalogue.create_subprocessor(
        sub_data(legal_name="Sauvegardes Ouest"), actor=sub_world.dpo, now=clock()
    )
    third = catalogue.create_subprocessor(
        sub_data(legal_name="Datacenter Est"), actor=sub_world.dpo, now=clock()
    )
    catalogue.add_chain_link(sub_world.sub.id, second.id, actor=sub_world.dpo, now=clock())
    catalogue.add_chain_link(second.id, third.id, actor=sub_world.dpo, now=clock())
    chain = catalogue.chain_of(sub_world.sub.id)
    assert [(d, c.legal_name, p.legal_name) for d, c, p in chain] == [
        (1, "Sauvegardes Ouest", "Hébergeur Armor SAS"),
        (2, "Datacenter Est", "Sauvegardes Ouest"),
    ]
    with pytest.raises(ChainRefused):
        catalogue.add_chain_link(third.id, sub_world.sub.id, actor=sub_world.dpo, now=clock())
    db.session.rollback()
    with pytest.raises(ChainRefused):
        catalogue.add_chain_link(third.id, third.id, actor=sub_world.dpo, now=clock())
    db.session.rollback()
    assert len(catalogue.all_edges()) == 2
    catalogue.remove_chain_link(second.id, third.id, actor=sub_world.dpo, now=clock())
    assert catalogue.all_edges() == [(sub_world.sub.id, second.id)]


def test_processor_staff_read_the_catalogue_only_the_dpo_edits(sub_world, clock, make_user):
    support = actor_for(make_user("support"), clock())
    assert catalogue.list_subprocessors(actor=support, now=clock()).total == 1
    with pytest.raises(Forbidden):
        catalogue.create_subprocessor(sub_data(legal_name="Y"), actor=support, now=clock())
    with pytest.raises(Forbidden):
        catalogue.list_subprocessors(actor=sub_world.rennes_dpo, now=clock())


def test_a_municipality_sees_the_subprocessors_of_its_processings_with_their_chain(
    sub_world, clock, make_user
):
    further = catalogue.create_subprocessor(
        sub_data(legal_name="Datacenter Est"), actor=sub_world.dpo, now=clock()
    )
    unrelated = catalogue.create_subprocessor(
        sub_data(legal_name="Support Sud"), actor=sub_world.dpo, now=clock()
    )
    catalogue.add_chain_link(sub_world.sub.id, further.id, actor=sub_world.dpo, now=clock())
    add_processing(sub_world.rennes, subprocessors=[db.session.get(Subprocessor, sub_world.sub.id)])
    add_processing(sub_world.metz, subprocessors=[unrelated])

    org, rows = services.municipality.municipality_subprocessors(
        sub_world.rennes.id, actor=sub_world.rennes_dpo, now=clock()
    )
    assert [(r.level, r.subprocessor.legal_name, r.relied_on_by) for r in rows] == [
        (0, "Hébergeur Armor SAS", ""),
        (1, "Datacenter Est", "Hébergeur Armor SAS"),
    ]
    assert rows[0].processings == ("État civil",)
    assert rows[0].authorisation_label == "Aucune notification enregistrée"
    assert actions("subprocessor.municipality") == ["subprocessor.municipality_read"]
    with pytest.raises(NotFound):
        services.municipality.municipality_subprocessors(
            sub_world.metz.id, actor=sub_world.rennes_dpo, now=clock()
        )
    instructor = actor_for(make_user("instructor", sub_world.rennes), clock())
    assert (
        len(
            services.municipality.municipality_subprocessors(
                sub_world.rennes.id, actor=instructor, now=clock()
            )[1]
        )
        == 2
    )
