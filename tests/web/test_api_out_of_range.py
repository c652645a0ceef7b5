"""No input makes a server error: an id or a number past what the database holds is a 404 (in
a path) or a 400 naming the field (in a query or a body); a refused role on a streamed export
is a 403 before the body starts."""

import pytest

from tests.api_support import problem_fields

HUGE = 2**63  # past SQLite's INTEGER, and far past PostgreSQL's (32 bits)


def test_an_id_past_the_database_in_a_path_is_not_found(api, make_user):
    caller = api(make_user("processor_dpo"))
    for path in (f"/api/v1/processings/{HUGE}", f"/api/v1/instructions/{HUGE}",
                 f"/api/v1/audits/{HUGE}", f"/api/v1/subprocessor-notices/{HUGE}"):  # fmt: skip
        assert caller.get(path).status_code == 404, path
    assert caller.get(f"/api/v1/processings/{2**31}").status_code == 404  # PostgreSQL's limit + 1
    assert caller.get(f"/api/v1/processings/{2**31 - 1}").status_code == 404  # its largest id


def test_a_number_past_the_database_in_a_query_or_a_body_names_the_field(api, make_user):
    caller = api(make_user("processor_dpo"))
    response = caller.get(f"/api/v1/instructions?organisation_id={HUGE}")
    assert response.status_code == 400
    assert "organisation_id" in problem_fields(response.get_json())
    response = caller.post("/api/v1/processings/1/copies", json={"controller_ids": [1, HUGE]})
    assert response.status_code == 400
    assert "controller_ids.1" in problem_fields(response.get_json())


@pytest.mark.parametrize("role", ["admin", "security_officer"])
def test_a_refused_export_is_refused_before_it_streams(api, make_user, role):
    response = api(make_user(role)).get("/api/v1/instructions/export")
    assert response.status_code == 403


def test_a_notice_without_its_kind_is_refused_not_a_server_error(api, make_user):
    response = api(make_user("processor_dpo")).post("/api/v1/subprocessor-notices", json={})
    assert response.status_code == 400 and "kind" in problem_fields(response.get_json())


def test_pages_take_any_page_number_and_id_without_a_server_error(client, login_as):
    login_as("processor_dpo")
    for path in ("/register/", "/audits/", "/instructions/", "/journal/"):
        response = client.get(path, query_string={"page": "9" * 30, "controller_id": str(HUGE)})
        assert response.status_code == 200, path
