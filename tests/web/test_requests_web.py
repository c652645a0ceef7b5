"""Request pages and /api/v1/requests: each step, identity reads, refused roles, foreign town."""

from datetime import date

import pytest
from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from tests.api_support import assert_documented, problem_fields
from tests.requests_support import IDENTITY, record_data


def identity_reads() -> int:
    stmt = select(func.count()).where(JournalEntry.action == "requests.identity_read")
    return db.session.scalar(stmt)


def test_support_records_a_request_through_the_form_and_cannot_read_it_back(
    client, login_as, staff, metz
):
    login_as(staff.support)
    page = client.get("/requests/new")
    assert page.status_code == 200 and 'name="organisation"' in page.text
    bad = client.post(
        "/requests/new",
        data={"organisation": "metz", "kind": "access", "requester_identity": "Jeanne"},
    )
    assert bad.status_code == 400 and "channel" in bad.text and "Jeanne" not in bad.text
    assert 'value="metz"' in bad.text  # what was typed is kept
    answer = client.post(
        "/requests/new",
        data={
            "organisation": "Metz-Ville",
            "kind": "erasure",
            "channel": "phone",
            "received_at": "2026-03-02T09:30",
            "requester_identity": IDENTITY,
        },
    )
    assert answer.status_code == 302
    detail = client.get(answer.headers["Location"])
    assert "Transmise à la collectivité" in detail.text and "Jeanne" not in detail.text
    assert "réservée au DPO" in detail.text
    assert client.post(answer.headers["Location"] + "/identity").status_code == 403
    listing = client.get("/requests/?kind=erasure&state=forwarded")
    assert "Effacement" in listing.text and "Page 1 sur 1" in listing.text


def test_the_dpo_reveals_the_identity_on_the_page_and_it_is_journaled(
    client, login_as, recorded, staff
):
    login_as(staff.controller_dpo)
    url = f"/requests/{recorded.id}"
    assert "Jeanne" not in client.get(url).text
    shown = client.post(f"{url}/identity")
    assert shown.status_code == 200 and "Jeanne Martin" in shown.text
    assert identity_reads() == 1


def test_assistance_steps_through_the_pages(client, login_as, recorded, staff):
    login_as(staff.controller_dpo)
    asked = client.post(
        "/requests/assistance",
        data={"request_id": str(recorded.id), "question": "Extraire les actes"},
    )
    assert asked.status_code == 302
    login_as(staff.processor_dpo)
    url = f"/requests/{recorded.id}"
    refused = client.post(f"{url}/extend", data={}, follow_redirects=True)
    assert "Indiquez le motif prévu au contrat" in refused.text
    page = client.post(f"{url}/extend", data={"reason": "season"}, follow_redirects=True)
    assert "délai prolongé" in page.text and "25/03/2026" in page.text and "17/03/2026" in page.text
    assert "02/04/2026" in page.text and "avant l'échéance de la collectivité" in page.text
    client.post(
        f"{url}/time", data={"worked_on": "2026-03-02", "minutes": "30", "description": "Recherche"}
    )
    done = client.post(
        f"{url}/outcome", data={"outcome": "extracted", "details": "3 actes"}, follow_redirects=True
    )
    assert "Données extraites" in done.text and "30 minutes" in done.text
    bill = client.get(f"{url}/billing?format=csv")
    assert bill.status_code == 200 and "Recherche" in bill.text


def test_refused_roles_and_foreign_municipality_on_pages(
    client, login_as, recorded, make_user, rennes, staff
):
    url = f"/requests/{recorded.id}"
    login_as(make_user("admin"))
    for path in ("/requests/", url, "/requests/new"):
        assert client.get(path).status_code == 403, path
    login_as(staff.instructor)
    assert client.get("/requests/").status_code == 403
    login_as(make_user("controller_dpo", rennes))
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/identity").status_code == 404
    assert client.post(f"{url}/close").status_code == 404
    assert client.get("/requests/new").status_code == 403
    assert "DEM-" not in client.get("/requests/").text


def test_the_whole_workflow_through_the_api(api, client, staff, metz, clock):
    support, cdpo, pdpo = api(staff.support), api(staff.controller_dpo), api(staff.processor_dpo)
    bad = support.post("/api/v1/requests", json={"organisation_id": metz.id, "kind": "nope"})
    assert bad.status_code == 400
    assert {"kind", "channel", "requester_identity"} <= set(problem_fields(bad.json))
    made = support.post("/api/v1/requests", json=record_data(metz.id))
    assert made.status_code == 201, made.json
    assert_documented(client, "post", "/api/v1/requests", made)
    assert "requester_identity" not in made.json and made.json["state"] == "forwarded"
    url = f"/api/v1/requests/{made.json['id']}"
    item = "/api/v1/requests/{request_id}"
    assert support.get(f"{url}/identity").status_code == 403
    identity = cdpo.get(f"{url}/identity")
    assert identity.json["requester_identity"] == IDENTITY
    assert_documented(client, "get", item + "/identity", identity)
    asked = cdpo.post(
        "/api/v1/requests/assistance", json={"request_id": made.json["id"], "question": "Aide"}
    )
    assert asked.status_code == 201
    assert_documented(client, "post", "/api/v1/requests/assistance", asked)
    assert asked.json["clocks"]["assistance_first"]["deadline"] == "2026-03-17"
    assert asked.json["clocks"]["controller_answer"]["deadline"] == "2026-04-02"
    no_reason = pdpo.post(f"{url}/extend", json={})
    assert no_reason.status_code == 400 and "reason" in problem_fields(no_reason.json)
    extended = pdpo.post(f"{url}/extend", json={"reason": "load"})
    assert_documented(client, "post", item + "/extend", extended)
    assert extended.json["clocks"]["assistance_is_extended"] is True
    assert extended.json["clocks"]["assistance_extended"]["deadline"] == "2026-03-25"
    entry = support.post(
        f"{url}/time", json={"worked_on": "2026-03-02", "minutes": 20, "description": "Extraction"}
    )
    assert entry.status_code == 201
    assert_documented(client, "post", item + "/time", entry)
    assert cdpo.post(f"{url}/close").json["code"] == "assistance_open"
    closed = pdpo.post(f"{url}/outcome", json={"outcome": "rectified", "details": "Nom corrigé"})
    assert closed.json["assistance"]["outcome"] == "rectified"
    assert_documented(client, "post", item + "/outcome", closed)
    done = cdpo.post(f"{url}/close")
    assert done.json["state"] == "closed"
    assert_documented(client, "post", item + "/close", done)
    listed = pdpo.get("/api/v1/requests?state=closed")
    assert listed.json["total"] == 1
    assert_documented(client, "get", "/api/v1/requests", listed)
    assert pdpo.get(f"{url}/billing?format=json").json[0]["minutes"] == 20
    for fmt in ("csv", "json", "xlsx"):
        assert_documented(client, "get", item + "/billing", pdpo.get(f"{url}/billing?format={fmt}"))


def test_a_billing_statement_in_an_unknown_format_is_refused_before_it_is_journaled(
    api, recorded, staff
):
    before = db.session.scalar(
        select(func.count()).where(JournalEntry.action == "requests.billing_exported")
    )
    answer = api(staff.processor_dpo).get(f"/api/v1/requests/{recorded.id}/billing?format=doc")
    assert answer.status_code == 400 and "format" in problem_fields(answer.json)
    after = db.session.scalar(
        select(func.count()).where(JournalEntry.action == "requests.billing_exported")
    )
    assert after == before


def test_a_request_received_before_the_gdpr_applied_is_refused(api, staff):
    # Found by the API fuzzing: day 0839-08-18 was accepted and its answer deadline shown with
    # the Paris mean time offset of the time (+00:09:21), which no RFC 3339 client reads.
    answer = api(staff.controller_dpo).post(
        "/api/v1/requests/assistance",
        json={
            "kind": "access",
            "requester_identity": "Jeanne Martin",
            "controller_received_on": "0839-08-18",
            "question": "Copie de ses données",
        },
    )
    assert answer.status_code == 400
    assert list(problem_fields(answer.json)) == ["controller_received_on"]


def test_an_extension_after_the_first_end_is_refused_through_the_api(api, assisted, staff, clock):
    from datetime import UTC, datetime

    clock.set(datetime(2026, 3, 18, 8, 0, tzinfo=UTC))
    answer = api(staff.processor_dpo).post(
        f"/api/v1/requests/{assisted.id}/extend", json={"reason": "complexity"}
    )
    assert answer.status_code == 409 and answer.json["code"] == "extension_too_late"


@pytest.mark.parametrize(
    "method,suffix",
    [("get", ""), ("get", "/identity"), ("post", "/close"), ("post", "/controller-extension")],
)
def test_api_refuses_roles_and_hides_the_foreign_municipality(
    api, recorded, make_user, rennes, method, suffix
):
    url = f"/api/v1/requests/{recorded.id}{suffix}"
    body = {"reason": "Motif suffisant"}
    assert getattr(api(make_user("admin")), method)(url, json=body).status_code == 403
    foreign = api(make_user("controller_dpo", rennes))
    assert getattr(foreign, method)(url, json=body).status_code == 404
    assert foreign.get("/api/v1/requests").json["total"] == 0
    auditor = make_user(
        "auditor",
        rennes,
        controller_id=rennes.id,
        valid_from_on=date(2026, 3, 1),
        valid_until_on=date(2026, 3, 31),
    )
    assert api(auditor).get(f"/api/v1/requests/{recorded.id}").status_code == 404


@pytest.mark.parametrize(
    "path,role",
    [("/api/v1/requests", "admin"), ("/api/v1/requests/assistance", "admin"),
     ("/api/v1/requests/assistance", "support")],
)  # fmt: skip
def test_a_refused_role_is_told_so_before_its_body_is_read(api, make_user, path, role):
    answer = api(make_user(role)).post(path, json={})
    assert answer.status_code == 403 and answer.json["code"] == "forbidden"


def test_the_list_finds_a_request_by_its_reference_or_its_municipality(
    client, api, login_as, staff, metz, rennes, clock
):
    from rgpd_app.requests import recording

    at_metz = recording.record_request(
        record_data(metz.id), actor=staff.actor(staff.support), now=clock()
    )
    at_rennes = recording.record_request(
        record_data(rennes.id), actor=staff.actor(staff.support), now=clock()
    )
    login_as(staff.processor_dpo)

    def listed(q: str) -> set[str]:
        page = client.get("/requests/", query_string={"q": q})
        assert page.status_code == 200
        return {ref for ref in (at_metz.reference, at_rennes.reference) if ref in page.text}

    assert 'name="q"' in client.get("/requests/").text
    assert listed("rennes") == {at_rennes.reference}
    assert listed(at_metz.reference.lower()) == {at_metz.reference}
    assert listed(str(at_rennes.id)) == {at_rennes.reference}
    assert listed("Nantes") == set()
    assert listed("99999999999999999999") == set()  # no integer overflow: nothing matches
    assert listed("") == {at_metz.reference, at_rennes.reference}
    # The municipality's DPO searches among its own requests only.
    login_as(staff.controller_dpo)
    assert listed("rennes") == set() and listed(str(at_rennes.id)) == set()
    # The API takes the same filter.
    found = api(staff.processor_dpo).get("/api/v1/requests", query_string={"q": "rennes"})
    assert found.status_code == 200 and [r["id"] for r in found.json["items"]] == [at_rennes.id]
    assert_documented(client, "get", "/api/v1/requests", found)


def test_the_error_summary_names_the_request_form_fields_in_the_language(
    client, login_as, staff, metz
):
    login_as(staff.support)
    data = {"organisation": "Metz-Ville", "kind": "access", "requester_identity": "Jeanne"}
    refused = client.post("/requests/new", data=data)
    assert refused.status_code == 400
    assert '<a href="#channel">Reçue par</a> : Ce champ est obligatoire.' in refused.text
    client.post("/language", data={"lang": "en"})
    english = client.post("/requests/new", data=data)
    assert '<a href="#channel">Received by</a> : This field is required.' in english.text
