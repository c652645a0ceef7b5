"""Register pages: list, detail, forms (every error at once, add a row), statuses, history,
copy; refused roles (403) and foreign municipalities (404)."""

from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.register import services
from rgpd_app.register.models import ProcessingActivity


@pytest.fixture
def towns(make_org):
    return make_org("Ville de Saint-Avold", departement="57"), make_org("Ville de Brest")


@pytest.fixture
def keeper(make_user):
    return make_user("processor_dpo")


@pytest.fixture
def entry(keeper, towns, clock):
    data = {
        "controller_id": towns[0].id,
        "name": "Gestion de la cantine scolaire",
        "purposes": [{"label": "Facturer les repas"}],
        "legal_bases": ["public_task"],
        "data_subjects": ["Familles"],
        "data_categories": [
            {
                "label": "Coordonnées des parents",
                "purpose": "Facturer les repas",
                "retention_value": 5,
                "retention_unit": "years",
            }
        ],
        "recipients": ["Trésorerie"],
        "estimated_persons": 800,
        "operations": ["hosting", "support"],
        "measures": [{"family": "backup", "description": "Sauvegarde quotidienne"}],
        "transfers": [{"country": "MA", "recipient": "Centre d'appel", "safeguard": "sccs"}],
    }
    return services.create_activity(data, actor=actor_for(keeper, clock()), now=clock())


def form_data(**overrides):
    data = {
        "controller_id": "",
        "name": "Accueil périscolaire",
        "purposes.0.label": "Inscrire les enfants",
        "legal_bases": "public_task",
        "data_subjects": "Enfants\nParents",
        "data_categories.0.label": "Identité de l'enfant",
        "data_categories.0.purpose": "Inscrire les enfants",
        "data_categories.0.retention_value": "3",
        "data_categories.0.retention_unit": "years",
        "recipients": "Animateurs",
        "estimated_persons": "120",
        "measures.0.family": "access_control",
        "measures.0.description": "",
    }
    return data | overrides


def test_the_nav_shows_the_register_to_readers_only(client, login_as, towns):
    login_as("instructor", towns[0])
    assert "Registre" in client.get("/dashboard").get_data(as_text=True)
    login_as("admin")
    assert ">Registre<" not in client.get("/dashboard").get_data(as_text=True)


def test_list_filters_and_flags(client, login_as, keeper, entry, towns):
    login_as(keeper)
    body = client.get("/register/?pending_consent=1").get_data(as_text=True)
    assert entry.name in body and "Consentement préalable en attente" in body
    assert entry.name not in client.get("/register/?special=1").get_data(as_text=True)
    assert entry.name not in client.get("/register/?status=validated").get_data(as_text=True)
    other = client.get(f"/register/?controller_id={towns[1].id}").get_data(as_text=True)
    assert entry.name not in other
    assert entry.name in client.get("/register/?q=cantine").get_data(as_text=True)


def test_detail_shows_completeness_and_problems(client, login_as, keeper, entry):
    login_as(keeper)
    body = client.get(f"/register/{entry.id}").get_data(as_text=True)
    assert "Complétude : 100 %" in body
    assert "consentement préalable en attente" in body and "Maroc" in body


def test_a_new_entry_form_shows_every_error_at_once_and_writes_nothing(
    client, login_as, keeper, towns
):
    login_as(keeper)
    assert client.get("/register/new").status_code == 200
    bad = form_data(
        controller_id=str(towns[0].id),
        **{
            "data_categories.0.purpose": "Finalité fantôme",
            "data_categories.1.label": "Données de santé",
            "transfers.0.country": "IN",
            "transfers.0.recipient": "Prestataire",
            "transfers.0.safeguard": "art49",
        },
    )
    response = client.post("/register/new", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "n&#39;existe pas dans ce traitement" in page
    assert "« santé »" in page
    assert "article 49 doit être documentée" in page
    assert db.session.scalar(select(func.count()).select_from(ProcessingActivity)) == 0


def test_the_error_summary_names_the_register_fields_in_french(client, login_as, keeper, towns):
    login_as(keeper)
    bad = form_data(controller_id=str(towns[0].id), name="", estimated_persons="beaucoup")
    response = client.post("/register/new", data=bad)
    summary = response.get_data(as_text=True).split('id="form-errors"')[1].split("</div>")[0]
    assert response.status_code == 400
    assert ">Nom du traitement</a> : Entre 2 et 300 caractères." in summary
    assert ">Nombre estimé de personnes concernées</a> : Nombre entier attendu." in summary
    assert db.session.scalar(select(func.count()).select_from(ProcessingActivity)) == 0


def test_add_a_row_redisplays_the_form_without_saving(client, login_as, keeper, towns):
    login_as(keeper)
    data = form_data(controller_id=str(towns[0].id), add="purposes")
    page = client.post("/register/new", data=data).get_data(as_text=True)
    # One filled row and, after "add a row", two blank ones instead of one.
    assert 'name="purposes.2.label"' in page and 'name="purposes.3.label"' not in page
    assert 'value="Inscrire les enfants"' in page
    data["extra.purposes"] = "2"
    page = client.post("/register/new", data=data).get_data(as_text=True)
    assert 'name="purposes.3.label"' in page
    assert db.session.scalar(select(func.count()).select_from(ProcessingActivity)) == 0


def test_the_processor_dpo_creates_an_entry(client, login_as, keeper, towns):
    login_as(keeper)
    response = client.post(
        "/register/new",
        data=form_data(controller_id=str(towns[0].id), operations=["hosting", "backup"]),
    )
    assert response.status_code == 302
    activity = db.session.scalar(select(ProcessingActivity))
    assert activity.controller_id == towns[0].id
    assert [p.label for p in activity.purposes] == ["Inscrire les enfants"]
    assert [m.family for m in activity.measures] == ["access_control"]


def test_the_controller_dpo_edits_only_the_controller_side(client, login_as, towns, entry):
    login_as("controller_dpo", towns[0])
    page = client.get(f"/register/{entry.id}/edit").get_data(as_text=True)
    assert 'name="purposes.0.label"' in page and 'name="operations"' not in page
    data = {
        "version": "1",
        "name": entry.name,
        "purposes.0.label": "Facturer les repas",
        "legal_bases": "public_task",
        "data_subjects": "Familles\nEnfants",
        "data_categories.0.label": "Coordonnées des parents",
        "data_categories.0.purpose": "Facturer les repas",
        "data_categories.0.retention_value": "5",
        "data_categories.0.retention_unit": "years",
        "recipients": "Trésorerie",
        "estimated_persons": "800",
    }
    assert client.post(f"/register/{entry.id}/edit", data=data).status_code == 302
    db.session.refresh(entry)
    assert entry.version == 2 and "Enfants" in entry.data_subjects
    assert len(entry.transfers) == 1 and entry.operations == '["hosting", "support"]'
    stale = client.post(f"/register/{entry.id}/edit", data=data)
    assert stale.status_code == 409 and "modifié entre-temps" in stale.get_data(as_text=True)


def test_validation_by_the_processor_dpo_lists_what_is_missing(client, login_as, keeper, entry):
    login_as(keeper)
    response = client.post(f"/register/{entry.id}/status", data={"status": "validated"})
    assert response.status_code == 302
    page = client.get(f"/register/{entry.id}").get_data(as_text=True)
    assert "Consentement préalable en attente" in page and "Brouillon" in page


def test_controller_dpo_cannot_validate(client, login_as, towns, entry):
    login_as("controller_dpo", towns[0])
    response = client.post(f"/register/{entry.id}/status", data={"status": "validated"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["support", "security_officer"])
def test_processor_staff_read_but_cannot_edit(client, login_as, role, entry):
    login_as(role)
    assert client.get(f"/register/{entry.id}").status_code == 200
    assert client.get(f"/register/{entry.id}/edit").status_code == 403
    assert client.get("/register/new").status_code == 403
    assert client.get(f"/register/{entry.id}/copy").status_code == 403


def test_instructor_reads_its_own_but_cannot_edit(client, login_as, towns, entry):
    login_as("instructor", towns[0])
    assert client.get(f"/register/{entry.id}").status_code == 200
    assert client.get(f"/register/{entry.id}/edit").status_code == 403
    assert client.post(f"/register/{entry.id}/edit", data={"version": "1"}).status_code == 403


def test_auditor_is_read_only(client, login_as, towns, entry, clock):
    today = clock().date()
    login_as(
        "auditor", towns[0], controller_id=towns[0].id, valid_from_on=today, valid_until_on=today
    )
    assert client.get("/register/").status_code == 200
    assert client.get(f"/register/{entry.id}").status_code == 200
    assert client.get(f"/register/{entry.id}/history").status_code == 200
    assert client.get(f"/register/{entry.id}/edit").status_code == 403
    assert (
        client.post(f"/register/{entry.id}/status", data={"status": "archived"}).status_code == 403
    )


def test_admin_is_refused(client, login_as, entry):
    login_as("admin")
    assert client.get("/register/").status_code == 403
    assert client.get(f"/register/{entry.id}").status_code == 403


def test_a_foreign_municipality_gets_404_everywhere(client, login_as, towns, entry):
    login_as("controller_dpo", towns[1])
    for path in ("", "/edit", "/history"):
        assert client.get(f"/register/{entry.id}{path}").status_code == 404, path
    assert entry.name not in client.get("/register/").get_data(as_text=True)


def test_history_page_shows_the_diff_and_the_state_on_a_date(
    client, login_as, keeper, entry, clock
):
    clock.set(datetime(2026, 3, 20, 10, 0, tzinfo=UTC))
    services.update_activity(
        entry.id,
        {"version": 1, "recipients": ["Trésorerie", "Prestataire de paiement"]},
        actor=actor_for(keeper, clock()),
        now=clock(),
    )
    login_as(keeper)
    page = client.get(f"/register/{entry.id}/history").get_data(as_text=True)
    assert "Version 2" in page and "Trésorerie | Prestataire de paiement" in page
    past = client.get(f"/register/{entry.id}/history?on=2026-03-05").get_data(as_text=True)
    assert "État au 05/03/2026" in past
    assert client.get(f"/register/{entry.id}/history?on=demain").status_code == 400
    register = client.get("/register/?on=2026-03-05").get_data(as_text=True)
    assert entry.name in register


def test_copy_form_copies_to_the_chosen_municipalities(
    client, login_as, keeper, towns, entry, make_org
):
    third = make_org("Ville de Hayange", departement="57")
    login_as(keeper)
    assert client.get(f"/register/{entry.id}/copy").status_code == 200
    assert client.post(f"/register/{entry.id}/copy", data={}).status_code == 400
    response = client.post(
        f"/register/{entry.id}/copy", data={"controller_ids": [towns[1].id, third.id]}
    )
    assert response.status_code == 302
    names = db.session.scalars(
        select(ProcessingActivity.controller_id).where(
            ProcessingActivity.copied_from_id == entry.id
        )
    ).all()
    assert sorted(names) == sorted([towns[1].id, third.id])


def test_pages_need_a_login(client, entry):
    for path in ("/register/", f"/register/{entry.id}", "/register/new"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_editing_a_validated_entry_says_it_goes_back_to_draft(client, login_as, towns, entry):
    entry.status = "validated"
    db.session.commit()
    login_as("controller_dpo", towns[0])
    data = {
        "version": str(entry.version),
        "name": entry.name,
        "purposes.0.label": "Facturer les repas",
        "legal_bases": "public_task",
        "data_subjects": "Familles",
        "data_categories.0.label": "Coordonnées des parents",
        "data_categories.0.purpose": "Facturer les repas",
        "data_categories.0.retention_value": "5",
        "data_categories.0.retention_unit": "years",
        "recipients": "Trésorerie",
        "estimated_persons": "950",
    }
    response = client.post(f"/register/{entry.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    body = client.get(response.location).get_data(as_text=True)
    assert "repasse en brouillon" in body and "Brouillon" in body


def test_the_registers_closed_lists_follow_the_language(client, login_as, keeper, entry):
    login_as(keeper)
    listing = unescape(client.get("/register/").get_data(as_text=True))
    detail = unescape(client.get(f"/register/{entry.id}").get_data(as_text=True))
    assert "Brouillon" in listing and "Mission d'intérêt public (art. 6.1.e)" in detail
    client.post("/language", data={"lang": "en"})
    listing = unescape(client.get("/register/").get_data(as_text=True))
    detail = unescape(client.get(f"/register/{entry.id}").get_data(as_text=True))
    assert ">Draft<" in listing and "Brouillon" not in listing
    assert "Public task (art. 6(1)(e))" in detail and "Hosting" in detail
    assert "Mission d'intérêt public" not in detail and "Hébergement" not in detail


def test_an_entrys_retention_is_written_in_the_pages_language(client, login_as, keeper, entry):
    login_as(keeper)
    assert ">5 ans<" in client.get(f"/register/{entry.id}").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    detail = client.get(f"/register/{entry.id}").get_data(as_text=True)
    assert ">5 years<" in detail and "5 ans" not in detail
