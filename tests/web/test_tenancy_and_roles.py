"""Every page and API endpoint: the refused role gets 403, a foreign municipality's id 404."""

import pytest

from tests.api_support import problem_fields
from tests.conftest import PASSWORD


@pytest.fixture
def towns(make_org):
    return make_org("Ville A", departement="57"), make_org("Ville B")


def test_a_municipality_user_gets_404_for_another_municipality(client, login_as, towns):
    mine, other = towns
    login_as("controller_dpo", mine)
    assert client.get(f"/organisations/{mine.id}").status_code == 200
    assert client.get(f"/organisations/{other.id}").status_code == 404


def test_a_municipality_list_shows_only_itself_and_the_processor(
    client, login_as, towns, processor
):
    mine, other = towns
    login_as("instructor", mine)
    body = client.get("/organisations/").get_data(as_text=True)
    assert mine.name in body and processor.name in body and other.name not in body


def test_auditor_sees_only_the_audited_municipality(client, login_as, towns, clock):
    mine, other = towns
    today = clock().date()
    login_as("auditor", mine, controller_id=mine.id, valid_from_on=today, valid_until_on=today)
    assert client.get(f"/organisations/{mine.id}").status_code == 200
    assert client.get(f"/organisations/{other.id}").status_code == 404


@pytest.mark.parametrize("path", ["/organisations/new", "/users/new", "/journal/"])
def test_support_agent_is_refused_admin_pages(client, login_as, path):
    login_as("support")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/organisations/new", "/journal/", "/users/"])
def test_instructor_is_refused(client, login_as, towns, path):
    login_as("instructor", towns[0])
    response = client.get(path)
    assert response.status_code == 403 and "Accès refusé" in response.get_data(as_text=True)


def test_controller_dpo_cannot_edit_its_organisation(client, login_as, towns):
    login_as("controller_dpo", towns[0])
    assert client.get(f"/organisations/{towns[0].id}/edit").status_code == 403


def test_controller_dpo_sees_only_its_users(client, login_as, make_user, towns):
    mine, other = towns
    stranger = make_user("instructor", other)
    login_as("controller_dpo", mine)
    assert client.get(f"/users/{stranger.id}").status_code == 404
    assert stranger.email not in client.get("/users/").get_data(as_text=True)


def test_controller_dpo_journal_is_its_own_municipality_only(client, login_as, make_user, towns):
    mine, other = towns
    outsider = make_user("instructor", other)
    client.post("/login", data={"email": outsider.email, "password": "wrong"})
    login_as("controller_dpo", mine)
    body = client.get("/journal/").get_data(as_text=True)
    assert outsider.email not in body


def test_processor_dpo_reads_the_whole_journal_and_the_read_is_journaled(
    client, login_as, make_user, towns
):
    outsider = make_user("instructor", towns[1])
    client.post("/login", data={"email": outsider.email, "password": "wrong"})
    login_as("processor_dpo")
    assert outsider.email in client.get("/journal/?action=login").get_data(as_text=True)
    assert "journal.read" in client.get("/journal/").get_data(as_text=True)


def test_pages_need_a_login(client, towns):
    for path in (
        "/dashboard",
        "/organisations/",
        f"/organisations/{towns[0].id}",
        "/journal/",
        "/users/",
        "/account/password",
        "/account/tokens",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path


def test_admin_creates_a_municipality_and_bad_input_changes_nothing(client, login_as):
    from rgpd_app.extensions import db
    from rgpd_app.organisations.models import Organisation

    login_as("admin")
    before = db.session.scalar(db.select(db.func.count(Organisation.id)))
    bad = client.post(
        "/organisations/new",
        data={"name": "X", "siren": "123456789", "departement": "99", "objection_days": "0"},
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for text in (
        "SIREN invalide",
        "Département inconnu",
        "Entre 2 et 200 caractères",
        "supérieur ou égal",
    ):
        assert text in body
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == before
    good = client.post(
        "/organisations/new",
        data={"name": "Commune de Metz", "siren": "215704636", "departement": "57"},
    )
    assert good.status_code == 302
    org = db.session.scalar(db.select(Organisation).where(Organisation.siren == "215704636"))
    assert org.calendar_code == "57" and org.objection_days == 7


def test_the_error_summary_names_each_field_in_french(client, login_as):
    login_as("admin")
    bad = client.post(
        "/organisations/new",
        data={"name": "Commune de Metz", "siren": "215704636", "departement": "57",
              "dpo_email": "pas-une-adresse"},
    )  # fmt: skip
    summary = bad.get_data(as_text=True).split('id="form-errors"')[1].split("</div>")[0]
    assert bad.status_code == 400
    assert ">Adresse e-mail du DPO</a> :" in summary and "Dpo email" not in summary


def test_controller_dpo_creates_a_colleague_but_not_a_processor_role(client, login_as, towns):
    login_as("controller_dpo", towns[0])
    ok = client.post(
        "/users/new",
        data={
            "email": "agent@ville-a.fr",
            "name": "Agent A",
            "organisation_id": towns[0].id,
            "password": PASSWORD,
            "role": "instructor",
        },
    )
    assert ok.status_code == 302
    refused = client.post(
        "/users/new",
        data={
            "email": "x@ville-a.fr",
            "name": "Agent X",
            "organisation_id": towns[0].id,
            "password": PASSWORD,
            "role": "support",
        },
    )
    assert refused.status_code == 400
    foreign = client.post(
        "/users/new",
        data={
            "email": "y@ville-b.fr",
            "name": "Agent Y",
            "organisation_id": towns[1].id,
            "password": PASSWORD,
            "role": "instructor",
        },
    )
    assert foreign.status_code == 400 and "Organisation inconnue" in foreign.get_data(as_text=True)


# --- API ---------------------------------------------------------------------------------------


def test_api_needs_a_valid_token(client):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


def test_api_me_lists_active_roles(api, make_user, towns):
    user = make_user("controller_dpo", towns[0])
    body = api(user).get("/api/v1/me").json
    assert body["email"] == user.email and body["active_roles"] == ["controller_dpo"]


def test_api_foreign_municipality_is_404(api, make_user, towns):
    mine, other = towns
    caller = api(make_user("controller_dpo", mine))
    assert caller.get(f"/api/v1/organisations/{mine.id}").status_code == 200
    response = caller.get(f"/api/v1/organisations/{other.id}")
    assert response.status_code == 404 and response.json["code"] == "not_found"
    listed = {o["id"] for o in caller.get("/api/v1/organisations").json["items"]}
    assert other.id not in listed and mine.id in listed


def test_api_create_organisation_refused_to_non_admin_and_validated(api, make_user):
    payload = {"name": "Commune de Colmar", "siren": "216800664", "departement": "68"}
    assert (
        api(make_user("processor_dpo")).post("/api/v1/organisations", json=payload).status_code
        == 403
    )
    admin = api(make_user("admin"))
    bad = admin.post("/api/v1/organisations", json={"name": "", "siren": "1"})
    assert bad.status_code == 400
    assert set(problem_fields(bad.json)) >= {"name", "siren", "departement"}
    created = admin.post("/api/v1/organisations", json=payload)
    assert created.status_code == 201 and created.json["calendar_code"] == "6AE"


def test_api_journal_roles(api, make_user, towns):
    assert api(make_user("support")).get("/api/v1/journal").status_code == 403
    assert api(make_user("instructor", towns[0])).get("/api/v1/journal").status_code == 403
    own = api(make_user("controller_dpo", towns[0])).get("/api/v1/journal").json
    assert all(e["organisation_id"] == towns[0].id for e in own["items"])


def test_revoked_token_is_refused(api, make_user, client):
    from rgpd_app.accounts.models import ApiToken
    from rgpd_app.extensions import db

    caller = api(make_user("support"))
    assert caller.get("/api/v1/me").status_code == 200
    for token in db.session.scalars(db.select(ApiToken)):
        token.revoked_at = token.created_at
    db.session.commit()
    assert caller.get("/api/v1/me").status_code == 401
