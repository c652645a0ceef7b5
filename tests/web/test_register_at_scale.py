"""The register's pages with many municipalities: a municipality is typed (name or SIREN),
never picked from a list of all of them; the list sorts by its columns with the filters kept in
the URL; copying to many municipalities runs in the worker, once, with its report."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select, update

from rgpd_app.exports.jobs import services as jobs
from rgpd_app.exports.models import QUEUED, ExportJob
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.register import copying, services
from rgpd_app.register.models import ProcessingActivity


@pytest.fixture
def towns(make_org):
    """Thirty municipalities, of which two in Moselle share "Saint" with a Breton one."""
    made = [make_org(f"Commune de Test {n:02d}") for n in range(26)]
    made += [
        make_org("Saint-Avold", departement="57"),
        make_org("Saint-Julien-lès-Metz", departement="57"),
        make_org("Saint-Malo", departement="35"),
        make_org("Brest", departement="29"),
    ]
    return {o.name: o for o in made}


@pytest.fixture
def keeper(make_user):
    return make_user("processor_dpo")


def make_entry(town, keeper, clock, name="Gestion de la cantine scolaire"):
    data = {
        "controller_id": town.id,
        "name": name,
        "purposes": [{"label": "Facturer les repas"}],
        "legal_bases": ["public_task"],
        "data_subjects": ["Familles"],
        "data_categories": [{"label": "Coordonnées", "purpose": "Facturer les repas",
                             "retention_value": 5, "retention_unit": "years"}],
        "operations": ["hosting"],
    }  # fmt: skip
    return services.create_activity(data, actor=actor_for(keeper, clock()), now=clock())


def copies_of(entry) -> list[int]:
    return sorted(
        db.session.scalars(
            select(ProcessingActivity.controller_id).where(
                ProcessingActivity.copied_from_id == entry.id
            )
        )
    )


def rows_of(body: str) -> list[str]:
    """The processing links of the list, in order."""
    return re.findall(r'<a href="/register/\d+">([^<]+)</a>', body)


def test_the_list_offers_a_search_field_not_every_municipality(client, login_as, towns):
    login_as("processor_dpo")
    body = client.get("/register/").get_data(as_text=True)
    assert 'name="controller"' in body and 'type="search"' in body
    assert (
        "Commune de Test 17" not in body and '<option value="' + str(towns["Brest"].id) not in body
    )


def test_a_municipality_typed_in_part_filters_the_list(client, login_as, towns, keeper, clock):
    make_entry(towns["Brest"], keeper, clock, "Cantine de Brest")
    make_entry(towns["Saint-Malo"], keeper, clock, "Cantine de Saint-Malo")
    login_as(keeper)
    body = client.get("/register/?controller=brest").get_data(as_text=True)
    assert rows_of(body) == ["Cantine de Brest"]
    assert f'value="Brest ({towns["Brest"].siren})"' in body  # the field says which one
    assert f"controller_id={towns['Brest'].id}" in body  # the exports of this filtered list
    by_siren = client.get(f"/register/?controller={towns['Saint-Malo'].siren}")
    assert rows_of(by_siren.get_data(as_text=True)) == ["Cantine de Saint-Malo"]
    # What the field shows once chosen ("Name (SIREN)") designates it again.
    chosen = client.get(
        "/register/", query_string={"controller": f"Brest ({towns['Brest'].siren})"}
    )
    assert rows_of(chosen.get_data(as_text=True)) == ["Cantine de Brest"]


def test_an_ambiguous_or_unknown_municipality_is_named_and_lists_nothing(
    client, login_as, towns, keeper, clock
):
    make_entry(towns["Saint-Malo"], keeper, clock)
    login_as(keeper)
    response = client.get("/register/?controller=saint")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Plusieurs collectivités correspondent à « saint »" in body
    assert f"Saint-Malo ({towns['Saint-Malo'].siren})" in body  # offered, to choose from
    assert rows_of(body) == []
    unknown = client.get("/register/?controller=Quimper")
    assert unknown.status_code == 400
    assert "Aucune collectivité ne correspond à « Quimper »" in unknown.get_data(as_text=True)


def test_suggestions_come_from_the_server_and_only_from_what_one_sees(
    client, login_as, towns, make_user
):
    login_as("processor_dpo")
    found = client.get("/organisations/suggest?q=saint").get_json()
    assert [m["label"].split(" (")[0] for m in found] == [
        "Saint-Avold", "Saint-Julien-lès-Metz", "Saint-Malo",
    ]  # fmt: skip
    assert len(client.get("/organisations/suggest?q=commune").get_json()) == 10  # bounded
    login_as(make_user("controller_dpo", towns["Saint-Malo"]))
    own = client.get("/organisations/suggest?q=saint").get_json()
    assert [m["id"] for m in own] == [towns["Saint-Malo"].id]  # never another town's name


def test_the_list_sorts_by_its_columns_and_keeps_the_filters(
    client, login_as, towns, keeper, clock
):
    for name in ("Aide sociale", "Urbanisme", "Cantine"):
        make_entry(towns["Brest"], keeper, clock, name)
    login_as(keeper)
    body = client.get("/register/?controller=brest&sort=-name").get_data(as_text=True)
    assert rows_of(body) == ["Urbanisme", "Cantine", "Aide sociale"]
    assert 'aria-sort="descending"' in body
    header = re.search(r'<a class="sort" href="([^"]+)">Traitement', body).group(1)
    assert "sort=name" in header and "controller=brest" in header  # reverses, keeps the filter
    forged = client.get("/register/?controller=brest&sort=password")
    assert forged.status_code == 200
    assert rows_of(forged.get_data(as_text=True)) == ["Aide sociale", "Cantine", "Urbanisme"]


def test_a_new_processing_goes_to_the_typed_municipality(client, login_as, towns, keeper):
    login_as(keeper)
    form = {
        "name": "Accueil périscolaire", "purposes.0.label": "Inscrire les enfants",
        "legal_bases": "public_task", "data_subjects": "Enfants",
        "data_categories.0.label": "Identité", "data_categories.0.purpose": "Inscrire les enfants",
        "data_categories.0.retention_value": "3", "data_categories.0.retention_unit": "years",
        "recipients": "Animateurs", "estimated_persons": "120",
    }  # fmt: skip
    refused = client.post("/register/new", data=form | {"controller": "saint"})
    assert refused.status_code == 400
    assert "Plusieurs collectivités correspondent" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ProcessingActivity)) == 0
    response = client.post("/register/new", data=form | {"controller": "saint-malo"})
    assert response.status_code == 302
    made = db.session.scalars(select(ProcessingActivity)).one()
    assert made.controller_id == towns["Saint-Malo"].id


def test_a_few_copies_are_made_at_once_from_typed_lines_and_departements(
    client, login_as, towns, keeper, clock
):
    entry = make_entry(towns["Brest"], keeper, clock)
    login_as(keeper)
    response = client.post(
        f"/register/{entry.id}/copy",
        data={"controllers": "saint-malo\nBrest", "departements": "57"},
    )
    assert response.status_code == 302  # Brest, the source's own town, is left out
    assert copies_of(entry) == sorted(
        towns[n].id for n in ("Saint-Malo", "Saint-Avold", "Saint-Julien-lès-Metz")
    )
    refused = client.post(
        f"/register/{entry.id}/copy", data={"controllers": "saint\nQuimper", "departements": "5x"}
    )
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Département inconnu : 5X." in body
    assert len(copies_of(entry)) == 3


def test_many_copies_run_in_the_worker_once_even_when_retried(
    app, client, login_as, towns, keeper, clock, monkeypatch
):
    app.config["COPY_INLINE_MAX"] = 5
    monkeypatch.setattr(copying, "BATCH", 7)
    entry = make_entry(towns["Brest"], keeper, clock)
    login_as(keeper)
    response = client.post(f"/register/{entry.id}/copy", data={"all": "1"})
    assert response.status_code == 302 and "/exports/" in response.location
    assert copies_of(entry) == []  # nothing in the request: the worker copies
    job = db.session.scalars(select(ExportJob)).one()
    assert job.kind == "register-copy" and job.rows_total == 29
    page = client.get(response.location).get_data(as_text=True)
    assert "Les copies sont créées en arrière-plan" in page

    # The worker stops after two batches (its third copy fails): what was committed stays,
    # the batch under way leaves nothing half-written.
    real, calls = copying._copy_one, {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 17:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(copying, "_copy_one", failing)
    jobs.run_pending(clock)
    assert len(copies_of(entry)) == 14
    assert db.session.get(ExportJob, job.id).state == "failed"

    # Retried (as a stale job is re-queued), the job completes without a second copy anywhere.
    db.session.execute(update(ExportJob).where(ExportJob.id == job.id).values(state=QUEUED))
    db.session.commit()
    monkeypatch.setattr(copying, "_copy_one", real)
    assert jobs.run_pending(clock) == 1
    done = db.session.get(ExportJob, job.id)
    assert done.state == "done" and done.rows_done == 29
    expected = sorted(o.id for o in towns.values() if o.id != towns["Brest"].id)
    assert copies_of(entry) == expected  # each town once
    report = client.get(f"/exports/{done.public_id}/file").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(report.lstrip("\ufeff")), delimiter=";"))
    assert len(lines) == 30 and lines[0][0] == "Collectivité"
    results = [line[3] for line in lines[1:]]
    assert results.count("déjà créée par ce travail") == 14 and results.count("créée") == 15


def test_the_api_queues_a_large_copy(app, api, towns, keeper, clock):
    app.config["COPY_INLINE_MAX"] = 2
    entry = make_entry(towns["Brest"], keeper, clock)
    ids = [towns[n].id for n in ("Saint-Malo", "Saint-Avold", "Saint-Julien-lès-Metz")]
    response = api(keeper).post(
        f"/api/v1/processings/{entry.id}/copies", json={"controller_ids": ids}
    )
    assert response.status_code == 202 and response.headers["Location"]
    assert copies_of(entry) == []
    jobs.run_pending(clock)
    assert copies_of(entry) == sorted(ids)


def test_a_long_list_is_counted_up_to_a_cap_and_still_pages_in_both_languages(
    client, login_as, api, towns, keeper, clock, monkeypatch
):
    from rgpd_app.register import listing

    monkeypatch.setattr(listing, "PAGE_COUNT_CAP", 10)
    entry = make_entry(towns["Brest"], keeper, clock)
    table = ProcessingActivity.__table__
    row = db.session.execute(select(table).where(table.c.id == entry.id)).mappings().one()
    copy = {k: v for k, v in row.items() if k != "id"}
    db.session.execute(table.insert(), [copy | {"name": f"Traitement {n:02d}"} for n in range(29)])
    db.session.commit()
    login_as("processor_dpo")
    first = client.get("/register/?controller=brest").get_data(as_text=True)
    assert "Page 1 — plus de 10 résultats" in first and len(rows_of(first)) == 25
    following = re.search(r'<a href="([^"]*page=2[^"]*)">Suivante</a>', first)
    assert following is not None and "controller=" in following.group(1)  # filters kept
    second = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Page 2 — plus de 10 résultats" in second and len(rows_of(second)) == 5
    assert ">Précédente</a>" in second and ">Suivante</a>" not in second
    assert set(rows_of(first)).isdisjoint(rows_of(second))
    few = client.get("/register/?controller=brest&q=cantine").get_data(as_text=True)
    assert "Page 1 sur 1 — 1 résultat(s)" in few  # under the cap: the exact count
    assert api(keeper).get("/api/v1/processings").get_json()["total"] == 30  # the API: exact
    client.post("/language", data={"lang": "en"})
    english = client.get("/register/?controller=brest").get_data(as_text=True)
    assert "Page 1 — more than 10 results" in english and ">Next</a>" in english
