"""Instruction pages and /api/v1/instructions: each step, exports, refused roles, foreign town."""

import base64
import hashlib
import io
import json

import pytest

from tests.api_support import assert_documented, problem_fields

REASON = "Conservation illimitée contraire à l'article 5, paragraphe 1, point e), du RGPD."


def test_the_instructor_gives_an_instruction_through_the_form(
    client, login_as, staff, metz, make_activity
):
    activity = make_activity(metz, "Cantine")
    login_as(staff.instructor)
    page = client.get("/instructions/new")
    assert page.status_code == 200 and "Cantine" in page.text
    bad = client.post("/instructions/new", data={"subject": "", "text": "x"})
    assert bad.status_code == 400 and "Ce champ est obligatoire." in bad.text
    answer = client.post(
        "/instructions/new",
        data={
            "subject": "Menus",
            "text": "Publier les menus sans nom d'enfant.",
            "effective_on": "2026-03-09",
            "activity_ids": [str(activity.id)],
            "attachments": (io.BytesIO(b"scan"), "scan.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    detail = client.get(answer.headers["Location"])
    assert "Menus" in detail.text and hashlib.sha256(b"scan").hexdigest() in detail.text
    listing = client.get("/instructions/?state=given&q=Menus")
    assert "Menus" in listing.text and "Page 1 sur 1" in listing.text


def test_a_suspended_instruction_cannot_be_applied_through_the_pages(
    client, login_as, given, staff
):
    login_as(staff.processor_dpo)
    url = f"/instructions/{given.id}"
    assert client.post(f"{url}/flag", data={"reason": REASON}).status_code == 302
    page = client.get(url)
    assert "Suspendue" in page.text and "courrier d'alerte" in page.text
    refused = client.post(f"{url}/applied", data={}, follow_redirects=True)
    assert "ne peut pas être appliquée" in refused.text
    assert "Suspendue" in refused.text


def test_in_force_page_and_every_export(client, login_as, given, staff):
    login_as(staff.controller_dpo)
    assert "Aucune" in client.get("/instructions/in-force").text  # effective on 9 March
    for fmt in ("csv", "xlsx", "ods", "json", "pdf"):
        answer = client.get(f"/instructions/export?format={fmt}")
        assert answer.status_code == 200, fmt
        assert f"instructions.{fmt}" in answer.headers["Content-Disposition"]
        answer.close()  # what the WSGI server does: closes the spooled XLSX/ODS file
    rows = json.loads(client.get("/instructions/export?format=json").data)
    assert rows[0]["reference"] == given.reference
    assert client.get("/instructions/export?format=doc").status_code == 400


def test_refused_roles_and_foreign_municipality_on_pages(
    client, login_as, given, make_user, rennes
):
    url = f"/instructions/{given.id}"
    login_as(make_user("admin"))
    for path in ("/instructions/", url, "/instructions/in-force", "/instructions/export"):
        assert client.get(path).status_code == 403, path
    login_as(make_user("support"))
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/acknowledge").status_code == 403
    assert client.get("/instructions/new").status_code == 403
    login_as(make_user("controller_dpo", rennes))
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/withdraw", data={}).status_code == 404
    assert client.get(f"{url}/attachments/{given.attachments[0].id}").status_code == 404
    assert given.reference not in client.get("/instructions/").text


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_the_whole_workflow_through_the_api(api, staff, metz, make_activity, clock, client):
    activity = make_activity(metz)
    instructor, pdpo = api(staff.instructor), api(staff.processor_dpo)
    bad = instructor.post("/api/v1/instructions", json={"text": "x"})
    assert bad.status_code == 400 and {"subject", "effective_on"} <= set(problem_fields(bad.json))
    made = instructor.post(
        "/api/v1/instructions",
        json={
            "subject": "Purge",
            "text": "Purger les comptes inactifs.",
            "effective_on": "2026-03-02",
            "activity_ids": [activity.id],
            "files": [{"filename": "délibération.pdf", "content_base64": b64(b"%PDF delib")}],
        },
    )
    assert made.status_code == 201, made.json
    assert_documented(client, "post", "/api/v1/instructions", made)
    one, ids = "/api/v1/instructions/{instruction_id}", {"instruction_id": made.json["id"]}
    url = f"/api/v1/instructions/{made.json['id']}"
    file_id = made.json["attachments"][0]["id"]
    download = pdpo.get(f"{url}/attachments/{file_id}")
    assert download.data == b"%PDF delib"
    assert_documented(
        client,
        "get",
        f"{one}/attachments/{{attachment_id}}",
        download,
        attachment_id=file_id,
        **ids,
    )
    download.close()
    assert_documented(client, "get", one, pdpo.get(url), **ids)
    added = instructor.post(
        f"{url}/attachments",
        json={"files": [{"filename": "annexe.txt", "content_base64": b64(b"A")}]},
    )
    assert added.status_code == 201, added.json
    assert_documented(client, "post", f"{one}/attachments", added, **ids)
    acknowledged = pdpo.post(f"{url}/acknowledge")
    assert acknowledged.json["state"] == "acknowledged"
    assert_documented(client, "post", f"{one}/acknowledge", acknowledged, **ids)
    locked = instructor.put(
        url,
        json={
            "subject": "Autre",
            "text": "Autre texte",
            "effective_on": "2026-03-02",
            "activity_ids": [activity.id],
        },
    )
    assert locked.status_code == 409 and locked.json["code"] == "instruction_locked"
    assert_documented(client, "put", one, locked, **ids)
    flagged = pdpo.post(f"{url}/flag", json={"reason": REASON})
    assert flagged.json["state"] == "suspended"
    assert_documented(client, "post", f"{one}/flag", flagged, **ids)
    refused = pdpo.post(f"{url}/applied", json={})
    assert refused.status_code == 409 and refused.json["code"] == "instruction_suspended"
    cnil = instructor.post(f"{url}/cnil", json={"referred_on": "2026-03-02", "reference": "R1"})
    assert cnil.json["cnil_referred_on"] == "2026-03-02"
    confirmed = instructor.post(f"{url}/confirm", json={"text": "Confirmé par le maire."})
    assert confirmed.json["confirmed_by_name"] == "Test instructor"
    applied = pdpo.post(f"{url}/applied", json={"note": "Fait"})
    assert applied.json["state"] == "applied"
    assert_documented(client, "post", f"{one}/applied", applied, **ids)
    in_force = pdpo.get("/api/v1/instructions/in-force")
    assert in_force.json["items"][0]["instruction"]["id"] == made.json["id"]
    assert_documented(client, "get", "/api/v1/instructions/in-force", in_force)
    listed = pdpo.get("/api/v1/instructions?state=applied")
    assert listed.json["total"] == 1
    assert_documented(client, "get", "/api/v1/instructions", listed)
    export = pdpo.get("/api/v1/instructions/export?format=csv")
    assert export.status_code == 200 and "Purger les comptes" in export.text
    assert_documented(client, "get", "/api/v1/instructions/export", export)
    rows = pdpo.get("/api/v1/instructions/export?format=json")
    assert [row["reference"] for row in rows.json] == [made.json["reference"]]
    assert_documented(client, "get", "/api/v1/instructions/export", rows)


def test_the_json_export_is_described_column_by_column():
    from rgpd_app.instructions.exporting import COLUMNS
    from rgpd_app.instructions.schemas import InstructionExportRowSchema

    assert list(InstructionExportRowSchema().fields) == [column.key for column in COLUMNS]


@pytest.mark.parametrize(
    "method,suffix",
    [("get", ""), ("post", "/confirm"), ("post", "/withdraw"), ("get", "/attachments/1")],
)
def test_api_refuses_roles_and_hides_the_foreign_municipality(
    api, given, make_user, rennes, method, suffix
):
    url = f"/api/v1/instructions/{given.id}{suffix}"
    assert (
        getattr(api(make_user("admin")), method)(url, json={"text": "Confirmé"}).status_code == 403
    )
    foreign = api(make_user("controller_dpo", rennes))
    assert getattr(foreign, method)(url, json={"text": "Confirmé"}).status_code == 404
    assert api(make_user("admin")).get("/api/v1/instructions").status_code == 403
    assert foreign.get("/api/v1/instructions").json["total"] == 0


def test_purposes_of_the_register_show_the_instruction_they_came_from(
    client, login_as, given, staff
):
    from rgpd_app.extensions import db
    from rgpd_app.register.models import Purpose

    db.session.add(
        Purpose(
            activity_id=given.activities[0].id, label="Délivrer les actes", instruction_id=given.id
        )
    )
    db.session.commit()
    login_as(staff.controller_dpo)
    page = client.get(f"/instructions/{given.id}")
    assert "Finalités du registre issues de cette instruction" in page.text
    assert "Délivrer les actes" in page.text


def test_the_api_list_names_a_malformed_page_and_caps_its_size(api, staff):
    pdpo = api(staff.processor_dpo)
    for path in ("/api/v1/instructions", "/api/v1/instructions/in-force"):
        refused = pdpo.get(path, query_string={"page": "zéro", "per_page": "0"})
        assert refused.status_code == 400
        assert set(problem_fields(refused.json)) == {"page", "per_page"}
        assert pdpo.get(path, query_string={"per_page": "5000"}).json["per_page"] == 200


def test_the_documented_example_is_accepted(api, staff, metz, make_activity, client):
    assert make_activity(metz).id == 1  # the example's processing
    spec = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/instructions"]
    body = spec["post"]["requestBody"]["content"]["application/json"]["example"]
    made = api(staff.instructor).post("/api/v1/instructions", json=body)
    assert made.status_code == 201, made.json
