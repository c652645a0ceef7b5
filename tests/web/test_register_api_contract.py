"""/api/v1/processings as documented: each answer of a whole register workflow (with real data,
which the fuzzing does not reach) matches the OpenAPI document, and malformed inputs are 400s
naming the field, never server errors."""

import json

import pytest

from rgpd_app.register.entries import ROW_COLUMNS
from rgpd_app.register.schemas import RegisterExportRowSchema
from tests.api_support import assert_documented, problem_fields
from tests.web.test_register_api import BASE, body

ONE = "/api/v1/processings/{activity_id}"


@pytest.fixture
def towns(make_org):
    return make_org("Ville de Sarreguemines", departement="57"), make_org("Ville de Rennes")


@pytest.fixture
def keeper(make_user):
    return make_user("processor_dpo")


def test_a_register_workflow_answers_as_documented(app, client, api, keeper, towns, clock):
    caller = api(keeper)
    created = caller.post(BASE, json=body(towns[0].id))
    assert created.status_code == 201
    assert_documented(client, "post", BASE, created)
    url = f"{BASE}/{created.json['id']}"
    assert_documented(client, "get", ONE, caller.get(url))
    clock.advance(days=3)
    transfer = {"country": "US", "recipient": "Éditeur SaaS", "safeguard": "sccs"}
    patched = caller.patch(url, json={"version": 1, "transfers": [transfer]})
    assert patched.status_code == 200, patched.json
    assert_documented(client, "patch", ONE, patched)
    patched = caller.patch(url, json={"version": 2, "transfers": []})
    assert_documented(client, "patch", ONE, patched)
    validated = caller.post(f"{url}/status", json={"status": "validated", "version": 3})
    assert validated.status_code == 200, validated.json
    assert_documented(client, "post", f"{ONE}/status", validated)
    listed = caller.get(f"{BASE}?status=validated&special=false&controller_id={towns[0].id}")
    assert listed.json["total"] == 1
    assert_documented(client, "get", BASE, listed)
    versions = caller.get(f"{url}/history")
    assert [v["version"] for v in versions.json["items"]] == [4, 3, 2, 1]
    assert_documented(client, "get", f"{ONE}/history", versions)
    for day in ("2026-03-03", "2026-03-01"):
        as_of = caller.get(f"{url}/history?on={day}")
        assert_documented(client, "get", f"{ONE}/history", as_of)
    assert as_of.json == {"on": "2026-03-01", "entry": None}
    copies = caller.post(f"{url}/copies", json={"controller_ids": [towns[1].id]})
    assert copies.status_code == 201 and copies.json["items"][0]["controller_id"] == towns[1].id
    assert_documented(client, "post", f"{ONE}/copies", copies)
    exported = caller.get(f"{BASE}/export?format=json")
    assert exported.status_code == 200
    assert_documented(client, "get", f"{BASE}/export", exported)
    assert len(json.loads(exported.get_data())) == 2


def test_the_json_export_row_schema_names_the_export_columns():
    assert tuple(RegisterExportRowSchema().fields) == ROW_COLUMNS


def test_long_copies_and_exports_answer_202_as_documented(app, client, api, keeper, towns):
    caller = api(keeper)
    created = caller.post(BASE, json=body(towns[0].id)).json
    app.config["COPY_INLINE_MAX"] = 0
    queued = caller.post(f"{BASE}/{created['id']}/copies", json={"controller_ids": [towns[1].id]})
    assert queued.status_code == 202
    assert_documented(client, "post", f"{ONE}/copies", queued)
    app.config["EXPORT_INLINE_MAX_ROWS"] = {"xlsx": 0, "ods": 0, "pdf": 0}
    queued = caller.get(f"{BASE}/export?format=xlsx&register=processor")
    assert queued.status_code == 202
    assert_documented(client, "get", f"{BASE}/export", queued)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=²", "page"),
        ("per_page=0", "per_page"),
        ("controller_id=abc", "controller_id"),
        (f"controller_id={2**31}", "controller_id"),
        ("status=perdu", "status"),
        ("special=peut-être", "special"),
    ],
)
def test_a_filter_that_cannot_apply_is_a_400_naming_it(api, keeper, query, field):
    paths = (BASE,) if "page" in query else (BASE, f"{BASE}/export")  # an export has no pages
    for path in paths:
        response = api(keeper).get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert field in problem_fields(response.get_json())


def test_an_export_names_its_format_and_register_when_unknown(api, keeper):
    response = api(keeper).get(f"{BASE}/export?format=doc&register=autre")
    assert response.status_code == 400
    assert {"format", "register"} <= set(problem_fields(response.get_json()))


@pytest.mark.parametrize(
    "payload",
    [
        {"controller_id": 2**31},
        {"subprocessor_ids": [2**40]},
        {"purposes": [{"label": "Une finalité", "instruction_id": 2**31}]},
        {"estimated_persons": 2**63},
    ],
)
def test_a_number_past_the_database_in_a_body_is_a_400(api, keeper, towns, payload):
    response = api(keeper).post(BASE, json=body(towns[0].id) | payload)
    assert response.status_code == 400, response.get_json()
    assert problem_fields(response.get_json())


@pytest.mark.parametrize("payload", [[], "traitement", 3, None])
def test_a_body_that_is_not_an_object_is_a_400(api, keeper, towns, payload):
    caller = api(keeper)
    created = caller.post(BASE, json=body(towns[0].id)).json
    url = f"{BASE}/{created['id']}"
    for method, path in (
        ("post", BASE),
        ("patch", url),
        ("post", f"{url}/status"),
        ("post", f"{url}/copies"),
    ):
        response = getattr(caller, method)(path, data=json.dumps(payload),
                                           content_type="application/json")  # fmt: skip
        assert response.status_code == 400, (method, path, payload)


def test_history_names_a_bad_day_and_status_a_bad_body(api, keeper, towns, make_user):
    caller = api(keeper)
    created = caller.post(BASE, json=body(towns[0].id)).json
    url = f"{BASE}/{created['id']}"
    response = caller.get(f"{url}/history?on=hier")
    assert response.status_code == 400 and "on" in problem_fields(response.get_json())
    response = caller.post(f"{url}/status", json={"status": "validated", "version": "trois"})
    assert response.status_code == 400 and "version" in problem_fields(response.get_json())
    response = caller.post(f"{url}/status", json={"status": "draft"})
    assert response.status_code == 400 and "status" in problem_fields(response.get_json())
    dpo = api(make_user("controller_dpo", towns[0]))
    assert dpo.post(f"{url}/status", json=[]).status_code == 403  # refused before validated
    assert dpo.post(f"{url}/copies", json={}).status_code == 403


def test_a_page_number_in_other_digits_is_the_first_page(api, make_user):
    caller = api(make_user("processor_dpo"))
    for path in ("/api/v1/subprocessors?page=²", "/api/v1/subprocessors?per_page=١"):
        response = caller.get(path)
        assert response.status_code == 200, path
        assert response.json["page"] == 1
