"""/api/v1/processings: list, create, read, update with optimistic concurrency, status,
copies, history; refused roles (403) and foreign municipalities (404)."""

import pytest
from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.register.models import ProcessingActivity, RegisterTask
from tests.api_support import problem_fields

BASE = "/api/v1/processings"


def body(controller_id=None, **overrides):
    data = {
        "name": "Gestion de l'état civil",
        "purposes": [{"label": "Tenir les registres d'état civil"}],
        "legal_bases": ["legal_obligation"],
        "data_subjects": ["Administrés"],
        "data_categories": [
            {
                "label": "Identité",
                "purpose": "Tenir les registres d'état civil",
                "retention_value": 75,
                "retention_unit": "years",
            }
        ],
        "recipients": ["Officiers d'état civil"],
        "estimated_persons": 5000,
        "operations": ["hosting"],
        "measures": [{"family": "access_control", "description": "Comptes nominatifs"}],
    }
    if controller_id is not None:
        data["controller_id"] = controller_id
    return data | overrides


@pytest.fixture
def towns(make_org):
    return make_org("Ville de Sarreguemines", departement="57"), make_org("Ville de Rennes")


@pytest.fixture
def keeper(make_user):
    return make_user("processor_dpo")


@pytest.fixture
def created(api, keeper, towns):
    response = api(keeper).post(BASE, json=body(towns[0].id))
    assert response.status_code == 201, response.json
    return response.json


def test_create_read_and_list_with_filters(api, keeper, towns, created):
    assert created["version"] == 1 and created["completeness"] == 100
    assert api(keeper).get(f"{BASE}/{created['id']}").json["name"] == "Gestion de l'état civil"
    listed = api(keeper).get(f"{BASE}?controller_id={towns[0].id}&status=draft").json
    assert listed["total"] == 1 and listed["items"][0]["has_special"] is False
    assert api(keeper).get(f"{BASE}?special=1").json["total"] == 0
    assert api(keeper).get(f"{BASE}?q=civil").json["total"] == 1
    assert api(keeper).get(f"{BASE}?q=cantine").json["total"] == 0


def test_list_pages(api, keeper, towns):
    caller = api(keeper)
    for n in range(5):
        assert caller.post(BASE, json=body(towns[0].id, name=f"Traitement {n}")).status_code == 201
    page = caller.get(f"{BASE}?per_page=2&page=3").json
    assert page["total"] == 5 and [i["name"] for i in page["items"]] == ["Traitement 4"]


def test_a_stale_version_gets_409_and_changes_nothing(api, keeper, created):
    url = f"{BASE}/{created['id']}"
    assert api(keeper).patch(url, json={"version": 1, "name": "État civil"}).json["version"] == 2
    stale = api(keeper).patch(url, json={"version": 1, "name": "Écrasement"})
    assert stale.status_code == 409 and stale.json["code"] == "stale_version"
    assert api(keeper).get(url).json["name"] == "État civil"


def test_update_without_version_is_400(api, keeper, created):
    response = api(keeper).patch(f"{BASE}/{created['id']}", json={"name": "X y"})
    assert response.status_code == 400 and "version" in problem_fields(response.json)


def test_bad_input_lists_every_error_by_field(api, keeper, towns):
    bad = body(
        towns[0].id,
        legal_bases=["whim"],
        transfers=[{"country": "NO", "recipient": "R", "safeguard": "art49"}],
    )
    bad["data_categories"][0]["purpose"] = "Inconnue"
    response = api(keeper).post(BASE, json=bad)
    fields = problem_fields(response.json)
    assert response.status_code == 400
    assert {
        "legal_bases",
        "data_categories.0.purpose",
        "transfers.0.country",
        "transfers.0.safeguard_documentation",
    } <= set(fields)


def test_schema_errors_are_flattened_to_field_paths(api, keeper, towns):
    response = api(keeper).post(BASE, json=body(towns[0].id, purposes=[{"label": ""}]))
    assert response.status_code == 400
    assert "purposes.0.label" in problem_fields(response.json)


def test_prohibited_category_is_refused_naming_it_and_nothing_is_written(api, keeper, towns):
    data = body(towns[0].id)
    data["data_categories"].append({"label": "Appartenance syndicale", "purpose": ""})
    response = api(keeper).post(BASE, json=data)
    assert response.status_code == 400
    assert "appartenance syndicale" in problem_fields(response.json)["data_categories.1.label"][0]
    assert db.session.scalar(select(func.count()).select_from(ProcessingActivity)) == 0


def test_special_data_creates_a_task_and_an_outbox_row(api, make_user, keeper, towns, created):
    dpo = make_user("controller_dpo", towns[0])
    categories = created["data_categories"] + [
        {
            "label": "Empreintes digitales",
            "purpose": "Tenir les registres d'état civil",
            "retention_criterion": "Jusqu'à la délivrance",
            "is_special": True,
        }
    ]
    response = api(dpo).patch(
        f"{BASE}/{created['id']}", json={"version": 1, "data_categories": categories}
    )
    assert response.status_code == 200, response.json
    assert response.json["data_categories"][1]["processor_informed_at"]
    assert db.session.scalar(select(RegisterTask)).kind == "reinforced_security"
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == keeper.email and "Empreintes digitales" in mail.body_text
    assert api(keeper).get(f"{BASE}?special=true").json["total"] == 1


def test_pending_consent_filter_and_problem(api, keeper, towns, created):
    transfer = {"country": "US", "recipient": "Éditeur SaaS", "safeguard": "sccs"}
    done = (
        api(keeper)
        .patch(f"{BASE}/{created['id']}", json={"version": 1, "transfers": [transfer]})
        .json
    )
    assert done["transfers"][0]["status"] == "pending_consent"
    assert any("consentement préalable en attente" in p for p in done["problems"])
    assert api(keeper).get(f"{BASE}?pending_consent=1").json["total"] == 1
    refused = api(keeper).post(f"{BASE}/{created['id']}/status", json={"status": "validated"})
    assert refused.status_code == 400 and refused.json["code"] == "incomplete"


def test_only_the_processor_dpo_validates(api, make_user, keeper, towns, created):
    url = f"{BASE}/{created['id']}/status"
    dpo = make_user("controller_dpo", towns[0])
    assert api(dpo).post(url, json={"status": "validated"}).status_code == 403
    ok = api(keeper).post(url, json={"status": "validated", "version": 1})
    assert ok.status_code == 200 and ok.json["status"] == "validated"


@pytest.mark.parametrize("role", ["support", "security_officer"])
def test_processor_staff_read_but_cannot_edit(api, make_user, role, created, towns):
    user = make_user(role)
    assert api(user).get(f"{BASE}/{created['id']}").status_code == 200
    assert api(user).patch(f"{BASE}/{created['id']}", json={"version": 1}).status_code == 403
    assert api(user).post(BASE, json=body(towns[0].id)).status_code == 403


def test_admin_is_refused_the_register(api, make_user, created):
    admin = make_user("admin")
    assert api(admin).get(BASE).status_code == 403
    assert api(admin).get(f"{BASE}/{created['id']}").status_code == 403


def test_instructor_and_auditor_read_only_their_municipality(api, make_user, towns, created, clock):
    mine, other = towns
    today = clock().date()
    for user in (
        make_user("instructor", mine),
        make_user(
            "auditor", mine, controller_id=mine.id, valid_from_on=today, valid_until_on=today
        ),
    ):
        assert api(user).get(f"{BASE}/{created['id']}").status_code == 200
        assert api(user).get(BASE).json["total"] == 1
        assert api(user).patch(f"{BASE}/{created['id']}", json={"version": 1}).status_code == 403
        assert api(user).post(BASE, json=body()).status_code == 403


def test_a_foreign_municipality_gets_404(api, make_user, towns, created):
    stranger = make_user("controller_dpo", towns[1])
    url = f"{BASE}/{created['id']}"
    assert api(stranger).get(url).status_code == 404
    assert api(stranger).patch(url, json={"version": 1, "name": "Pirate"}).status_code == 404
    assert api(stranger).get(f"{url}/history").status_code == 404
    assert api(stranger).get(BASE).json["total"] == 0
    foreign = body(towns[0].id, operations=[], measures=[])
    assert api(stranger).post(BASE, json=foreign).status_code == 404


def test_controller_dpo_cannot_change_the_processor_side(api, make_user, towns, created):
    dpo = make_user("controller_dpo", towns[0])
    response = api(dpo).patch(
        f"{BASE}/{created['id']}", json={"version": 1, "operations": ["backup"]}
    )
    assert response.status_code == 403 and response.json["code"] == "processor_side"


def test_history_lists_versions_with_diffs_and_the_state_on_a_date(api, keeper, created, clock):
    url = f"{BASE}/{created['id']}"
    clock.advance(days=3)
    api(keeper).patch(url, json={"version": 1, "recipients": ["Procureur"]})
    versions = api(keeper).get(f"{url}/history").json
    assert [v["version"] for v in versions["items"]] == [2, 1]
    change = versions["items"][0]["changes"][0]
    assert change["field"] == "recipients" and change["after"] == "Procureur"
    assert change["before"] == "Officiers d'état civil"
    past = api(keeper).get(f"{url}/history?on=2026-03-03").json["entry"]
    assert past["recipients"] == ["Officiers d'état civil"]
    assert api(keeper).get(f"{url}/history?on=2026-03-01").json["entry"] is None
    assert api(keeper).get(f"{url}/history?on=hier").status_code == 400


def test_copy_to_many(api, make_user, keeper, towns, make_org, created):
    third = make_org("Ville de Metz", departement="57")
    response = api(keeper).post(
        f"{BASE}/{created['id']}/copies", json={"controller_ids": [towns[1].id, third.id]}
    )
    assert response.status_code == 201 and len(response.json["items"]) == 2
    dpo = make_user("controller_dpo", towns[0])
    copy = {"controller_ids": [towns[1].id]}
    assert api(dpo).post(f"{BASE}/{created['id']}/copies", json=copy).status_code == 403
    bad = api(keeper).post(f"{BASE}/{created['id']}/copies", json={"controller_ids": []})
    assert bad.status_code == 400


def test_format_and_rule_errors_come_in_one_answer(api, keeper, towns):
    bad = body(towns[0].id, estimated_persons="beaucoup", legal_bases=["whim"])
    bad["data_categories"].append({"label": "Opinions religieuses", "purpose": ""})
    response = api(keeper).post(BASE, json=bad)
    fields = problem_fields(response.json)
    assert response.status_code == 400
    assert {"estimated_persons", "legal_bases", "data_categories.1.label"} <= set(fields)


def test_a_refused_role_learns_nothing_from_validation(api, make_user, created):
    support = make_user("support")
    response = api(support).patch(f"{BASE}/{created['id']}", json={"name": ""})
    assert response.status_code == 403
