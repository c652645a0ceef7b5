"""/api/v1/audits: every step through JSON, refused roles and the foreign municipality."""

import base64
import hashlib
from datetime import UTC, date, datetime

import pytest

from tests.api_support import assert_documented, problem_fields
from tests.audit_support import request_data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def json_request(**over) -> dict:
    data = request_data(**over)
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
    body["auditors"] = [
        {**a, "nda_filename": "nda.pdf", "nda_base64": b64(b"%PDF nda")} for a in data["auditors"]
    ]
    body.pop("reaudit_of_id")
    return body


def test_check_returns_every_violation_and_the_dates_without_saving(api, people, client):
    caller = api(people.controller_dpo)
    body = json_request(start_on="2026-03-31", end_on="2026-03-30")
    body["auditors"][0].pop("nda_base64")
    answer = caller.post("/api/v1/audits/check", json=body)
    assert answer.status_code == 200, answer.json
    assert_documented(client, "post", "/api/v1/audits/check", answer)
    codes = {v["code"] for v in answer.json["violations"]}
    assert codes == {"notice_too_late", "end_before_start", "auditor_nda_missing"}
    assert answer.json["earliest_start_on"] == "2026-04-02"
    assert answer.json["refusal_deadline"]["deadline"] == "2026-03-17"
    assert caller.get("/api/v1/audits").json["total"] == 0


def test_request_refused_29_days_ahead_then_recorded_30_days_ahead(api, people, client):
    caller = api(people.controller_dpo)
    refused = caller.post(
        "/api/v1/audits", json=json_request(start_on="2026-03-31", end_on="2026-04-01")
    )
    assert refused.status_code == 400
    assert refused.json["check"]["earliest_start_on"] == "2026-04-02"
    assert_documented(client, "post", "/api/v1/audits", refused)
    assert "notice_received_on" in problem_fields(refused.json)
    created = caller.post("/api/v1/audits", json=json_request())
    assert created.status_code == 201, created.json
    document = created.json["documents"][0]
    assert document["sha256"] == hashlib.sha256(b"%PDF nda").hexdigest()
    assert created.json["clocks"]["refusal"]["closes_at"] == "2026-03-18T00:00:00+01:00"


def test_full_workflow_through_the_api(api, people, clock, make_user, client):
    cdpo, pdpo = api(people.controller_dpo), api(people.processor_dpo)
    created = cdpo.post("/api/v1/audits", json=json_request())
    assert_documented(client, "post", "/api/v1/audits", created)
    audit = created.json
    url = f"/api/v1/audits/{audit['id']}"
    one = "/api/v1/audits/{audit_id}"
    assert_documented(client, "get", one, cdpo.get(url), audit_id=audit["id"])
    accepted = pdpo.post(f"{url}/accept", json={"version": audit["version"]})
    assert accepted.status_code == 200, accepted.json
    assert_documented(client, "post", f"{one}/accept", accepted, audit_id=audit["id"])
    assert accepted.json["auditor_accounts"][0]["email"] == "auditeur0@verif.example"
    assert pdpo.post(f"{url}/accept", json={}).status_code == 400
    clock.set(datetime(2026, 4, 2, 7, 0, tzinfo=UTC))
    assert cdpo.post(f"{url}/start", json={}).status_code == 200
    auditor = make_user(
        "auditor",
        people.controller_dpo.organisation,
        controller_id=audit["organisation_id"],
        valid_from_on=clock().date(),
        valid_until_on=clock().date(),
    )
    report = api(auditor).post(
        f"{url}/report", json={"filename": "rapport.pdf", "content_base64": b64(b"rapport")}
    )
    assert report.status_code == 200, report.json
    assert_documented(client, "post", f"{one}/report", report, audit_id=audit["id"])
    assert report.json["clocks"]["observations"]["deadline"] == "2026-04-17"
    assert pdpo.post(f"{url}/observations", json={"text": "RAS"}).status_code == 200
    assert cdpo.post(f"{url}/corrective-plan", json={}).status_code == 200
    measure = pdpo.post(f"{url}/measures", json={"description": "MFA", "owner": "DSI"})
    assert measure.status_code == 201 and measure.json["due_on"] == "2026-07-02"
    assert_documented(client, "post", f"{one}/measures", measure, audit_id=audit["id"])
    assert cdpo.post(f"{url}/close", json={}).json["code"] == "measures_open"
    done = pdpo.post(f"{url}/measures/{measure.json['id']}/status", json={"status": "done"})
    assert done.status_code == 200
    closed = cdpo.post(f"{url}/close", json={})
    assert closed.json["state"] == "closed"
    assert_documented(client, "post", f"{one}/close", closed, audit_id=audit["id"])
    doc = report.json["documents"][-1]
    download = cdpo.get(f"{url}/documents/{doc['id']}")
    assert download.status_code == 200 and download.data == b"rapport"
    assert_documented(
        client, "get", f"{one}/documents/{{document_id}}", download,
        audit_id=audit["id"], document_id=doc["id"],
    )  # fmt: skip
    download.close()


def test_time_and_billing_csv(api, people, requested, make_user, client):
    support = make_user("support")
    url = f"/api/v1/audits/{requested.id}"
    logged = api(support).post(
        f"{url}/time", json={"worked_on": "2026-03-02", "minutes": 75, "description": "Préparation"}
    )
    assert logged.status_code == 201, logged.json
    bad = api(support).post(f"{url}/time", json={"worked_on": "2026-03-02", "minutes": 0})
    assert set(problem_fields(bad.json)) == {"minutes", "description"}
    csv = api(people.processor_dpo).get(f"{url}/billing?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    one = "/api/v1/audits/{audit_id}"
    assert_documented(client, "get", f"{one}/billing", csv, audit_id=requested.id)
    assert_documented(client, "post", f"{one}/time", logged, audit_id=requested.id)
    assert_documented(
        client, "get", f"{one}/time", api(support).get(f"{url}/time"), audit_id=requested.id
    )
    text = csv.get_data(as_text=True)
    assert "Préparation" in text and "1 h 15" in text and "Total" in text
    assert api(support).get(f"{url}/billing?format=csv").status_code == 403
    assert api(support).get(f"{url}/time").json["total"] == 1
    auditor = make_user(
        "auditor",
        requested.organisation,
        controller_id=requested.organisation_id,
        valid_from_on=date(2026, 3, 2),
        valid_until_on=date(2026, 3, 2),
    )
    assert api(auditor).get(f"{url}").status_code == 200
    assert api(auditor).get(f"{url}/time").status_code == 403


@pytest.mark.parametrize("role", ["admin", "support", "security_officer"])
def test_processor_roles_other_than_the_dpo_cannot_decide(api, requested, make_user, role):
    answer = api(make_user(role)).post(f"/api/v1/audits/{requested.id}/accept", json={})
    assert answer.status_code == 403


def test_admin_has_no_access_and_foreign_municipality_gets_404(
    api, requested, make_user, other_town
):
    assert api(make_user("admin")).get(f"/api/v1/audits/{requested.id}").status_code == 403
    assert api(make_user("admin")).get("/api/v1/audits").status_code == 403
    stranger = api(make_user("controller_dpo", other_town))
    assert stranger.get(f"/api/v1/audits/{requested.id}").status_code == 404
    assert stranger.post(f"/api/v1/audits/{requested.id}/cancel", json={}).status_code == 404
    assert stranger.get("/api/v1/audits").json["total"] == 0
    instructor = api(make_user("instructor", requested.organisation))
    assert instructor.get(f"/api/v1/audits/{requested.id}").status_code == 403
    assert api(make_user("support")).post("/api/v1/audits", json={}).status_code == 403


def test_stale_version_answers_409(api, people, requested):
    answer = api(people.processor_dpo).post(
        f"/api/v1/audits/{requested.id}/accept", json={"version": requested.version + 3}
    )
    assert answer.status_code == 409


@pytest.mark.parametrize("body", [[1], [["a", "b"]], "texte", 3])
def test_a_body_that_is_not_a_json_object_is_refused_not_a_server_error(
    api, people, requested, body
):
    answer = api(people.processor_dpo).post(f"/api/v1/audits/{requested.id}/accept", json=body)
    assert answer.status_code == 400 and "_schema" in problem_fields(answer.json)


def test_the_documented_examples_are_accepted(api, people, town, client):
    spec = client.get("/api/v1/openapi.json").json["paths"]
    caller = api(people.controller_dpo)

    def example(path):
        return spec[path]["post"]["requestBody"]["content"]["application/json"]["example"]

    checked = caller.post("/api/v1/audits/check", json=example("/api/v1/audits/check"))
    assert checked.status_code == 200 and checked.json["is_acceptable"], checked.json
    assert caller.post("/api/v1/audits", json=example("/api/v1/audits")).status_code == 201


@pytest.mark.parametrize("path", ["/api/v1/audits", "/api/v1/audits/check"])
def test_a_start_whose_notice_day_leaves_the_calendar_is_refused_on_its_field(api, people, path):
    answer = api(people.controller_dpo).post(path, json=json_request(start_on="0001-01-01"))
    assert answer.status_code == 400 and "start_on" in problem_fields(answer.json)
    assert answer.json["code"] == "bad_start"
