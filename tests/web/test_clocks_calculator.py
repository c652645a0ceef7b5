"""The "Calculateur de délais" page and GET /api/v1/deadlines."""

import pytest

from tests.api_support import problem_fields

ROLES = (
    "admin",
    "processor_dpo",
    "security_officer",
    "support",
    "controller_dpo",
    "instructor",
    "auditor",
)


@pytest.fixture
def moselle(make_org):
    return make_org("Metz", departement="57", objection_days=10)


def _login(login_as, role, town, clock):
    today = clock().date()
    if role == "auditor":
        return login_as(
            role, town, controller_id=town.id, valid_from_on=today, valid_until_on=today
        )
    return login_as(role, town if role in ("controller_dpo", "instructor") else None)


@pytest.mark.parametrize("role", ROLES)
def test_the_page_renders_and_computes_for_every_role(client, login_as, clock, moselle, role):
    _login(login_as, role, moselle, clock)
    empty = client.get("/deadlines/")
    assert empty.status_code == 200
    assert "Calculateur de délais" in empty.get_data(as_text=True)
    page = client.get("/deadlines/?clock=audit-notice&start=2026-06-15&calendar=FR")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "vendredi 15 mai 2026" in body
    assert "Explication" in body


def test_the_page_is_for_logged_in_users_only(client):
    response = client.get("/deadlines/")
    assert response.status_code in (302, 401)


def test_a_municipality_user_gets_its_calendar_and_contract_lengths(client, login_as, moselle):
    login_as("controller_dpo", moselle)
    form = client.get("/deadlines/").get_data(as_text=True)
    assert '<option value="57" selected' in form
    # 10 days from Thursday 19 March 2026 → Sunday 29 March → Monday 30 March.
    body = client.get("/deadlines/?clock=subprocessor-objection&start=2026-03-19").get_data(
        as_text=True
    )
    assert "lundi 30 mars 2026" in body
    assert "contrat de Metz" in body
    # Good Friday (3 April 2026) is a holiday in Moselle: 15 days from 19 March move to 7 April.
    body = client.get("/deadlines/?clock=audit-observations&start=2026-03-19").get_data(
        as_text=True
    )
    assert "mardi 7 avril 2026" in body
    assert "Vendredi saint" in body


def test_hour_clocks_show_the_instant_in_paris_time(client, login_as):
    login_as("security_officer")
    body = client.get(
        "/deadlines/?clock=breach-authority&start=2026-03-28T10%3A00%3A00%2B01%3A00"
    ).get_data(as_text=True)
    assert "mardi 31 mars 2026 à 11:00 (heure de Paris, UTC+02:00)" in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("clock=breach-authority&start=2026-03-29T02%3A30", "start", "n&#39;existe pas à Paris"),
        ("clock=audit-notice&start=2026-02-30", "start", "n&#39;existe pas dans le calendrier"),
        ("clock=nope&start=2026-05-01", "clock", "Délai inconnu"),
        ("clock=audit-notice&start=2026-06-15&calendar=ZZ", "calendar", "Calendrier inconnu"),
        ("clock=audit-notice&start=", "start", "Ce champ est obligatoire."),
    ],
)
def test_errors_are_shown_next_to_the_field(client, login_as, query, field, message):
    login_as("processor_dpo")
    response = client.get(f"/deadlines/?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="error" id="{field}-error">' in body
    error_line = body.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error_line
    assert 'id="steps"' not in body


def test_processor_staff_may_pick_a_municipality_contract(client, login_as, moselle, make_org):
    make_org("Rennes")
    login_as("processor_dpo")
    form = client.get("/deadlines/").get_data(as_text=True)
    assert 'name="organisation"' in form and "Rennes" not in form  # typed, not listed
    body = client.get(
        f"/deadlines/?clock=subprocessor-objection&start=2026-03-19&organisation_id={moselle.id}"
    ).get_data(as_text=True)
    assert "lundi 30 mars 2026" in body and f'value="Metz ({moselle.siren})"' in body
    typed = client.get(
        "/deadlines/?clock=subprocessor-objection&start=2026-03-19&organisation=metz"
    )
    assert "lundi 30 mars 2026" in typed.get_data(as_text=True)


# --- API ----------------------------------------------------------------------------------


def test_api_computes_a_day_clock(api, make_user):
    response = api(make_user("processor_dpo")).get(
        "/api/v1/deadlines?clock=subprocessor-objection&start=2026-05-01&calendar=FR"
    )
    assert response.status_code == 200
    out = response.get_json()
    assert (out["clock"], out["calendar"], out["deadline"]) == (
        "subprocessor-objection",
        "FR",
        "2026-05-11",
    )
    assert out["closes_at"] == "2026-05-12T00:00:00+02:00"
    assert out["steps"][0]["code"] == "clock"


def test_api_computes_an_hour_clock_across_the_dst_change(api, make_user):
    out = (
        api(make_user("security_officer"))
        .get(
            "/api/v1/deadlines",
            query_string={"clock": "breach-authority", "start": "2026-03-28T10:00:00+01:00"},
        )
        .get_json()
    )
    assert out["deadline"] == "2026-03-31T11:00:00+02:00"


def test_api_defaults_to_the_municipality_contract(api, make_user, moselle):
    caller = api(make_user("controller_dpo", moselle))
    out = caller.get("/api/v1/deadlines?clock=subprocessor-objection&start=2026-03-19").get_json()
    assert (out["calendar"], out["length"], out["deadline"]) == ("57", 10, "2026-03-30")
    assert out["organisation_id"] == moselle.id


def test_api_processor_staff_use_defaults_or_a_visible_municipality(api, make_user, moselle):
    caller = api(make_user("processor_dpo"))
    query = "/api/v1/deadlines?clock=subprocessor-objection&start=2026-03-19"
    assert caller.get(query).get_json()["deadline"] == "2026-03-26"
    out = caller.get(f"{query}&organisation_id={moselle.id}").get_json()
    assert (out["calendar"], out["deadline"]) == ("57", "2026-03-30")


def test_api_foreign_municipality_answers_404(api, make_user, make_org, moselle):
    caller = api(make_user("controller_dpo", make_org("Brest")))
    response = caller.get(
        f"/api/v1/deadlines?clock=assistance&start=2026-03-02&organisation_id={moselle.id}"
    )
    assert response.status_code == 404


def test_api_bad_input_is_400_with_every_field_named(api, make_user):
    response = api(make_user("support")).get(
        "/api/v1/deadlines?clock=nope&start=2026-03-29T02:30&calendar=ZZ"
    )
    assert response.status_code == 400
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert problem["code"] == "validation" and problem["status"] == 400
    fields = problem_fields(problem)
    assert set(fields) == {"clock", "start", "calendar"}
    assert "n'existe pas à Paris" in fields["start"][0]


def test_api_missing_parameters_are_400(api, make_user):
    response = api(make_user("support")).get("/api/v1/deadlines")
    assert response.status_code == 400
    assert set(problem_fields(response.get_json())) == {"clock", "start"}


def test_api_needs_a_token(client):
    response = client.get("/api/v1/deadlines?clock=assistance&start=2026-03-02")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_api_paths_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/deadlines", "/api/v1/echeances"} <= set(paths)
