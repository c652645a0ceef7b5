"""/api/v1/subprocessors and /api/v1/subprocessor-notices: roles, tenancy, windows, answers."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.register.models import Subprocessor
from rgpd_app.subprocessors import services
from tests.api_support import assert_documented, problem_fields
from tests.subprocessor_support import SENT_AT, add_processing, sub_data

NOTICES = "/api/v1/subprocessor-notices"
RECIPIENT = NOTICES + "/{notice_id}/recipients/{recipient_id}"


def as_json(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def test_catalogue_roles_and_validation(api, sub_world, make_user):
    support = api(make_user("support"))
    listing = support.get("/api/v1/subprocessors")
    assert listing.status_code == 200 and listing.json["total"] == 1
    assert (
        support.post("/api/v1/subprocessors", json=as_json(sub_data(legal_name="Z"))).status_code
        == 403
    )
    assert api(sub_world.rennes_dpo.user).get("/api/v1/subprocessors").status_code == 403
    dpo = api(sub_world.dpo.user)
    bad = dpo.post("/api/v1/subprocessors", json={"legal_name": "Cloud", "country": "FR"})
    assert bad.status_code == 400 and {"address", "contact"} <= set(problem_fields(bad.json))
    created = dpo.post("/api/v1/subprocessors", json=as_json(sub_data(legal_name="Datacenter Est")))
    assert created.status_code == 201 and created.json["activities"] == ["hosting", "backup"]
    child = created.json["id"]
    assert (
        dpo.post(
            f"/api/v1/subprocessors/{sub_world.sub.id}/chain", json={"child_id": child}
        ).status_code
        == 201
    )
    loop = dpo.post(f"/api/v1/subprocessors/{child}/chain", json={"child_id": sub_world.sub.id})
    assert loop.status_code == 400 and loop.json["code"] == "chain_refused"
    detail = dpo.get(f"/api/v1/subprocessors/{sub_world.sub.id}").json
    assert detail["chain"][0]["legal_name"] == "Datacenter Est"
    assert dpo.delete(f"/api/v1/subprocessors/{sub_world.sub.id}/chain/{child}").status_code == 204


def test_municipality_list_through_the_api_and_the_foreign_town(api, sub_world):
    add_processing(sub_world.rennes, subprocessors=[db.session.get(Subprocessor, sub_world.sub.id)])
    town = api(sub_world.rennes_dpo.user)
    mine = town.get(f"/api/v1/subprocessors/municipalities/{sub_world.rennes.id}")
    assert mine.status_code == 200 and mine.json["items"][0]["subprocessor"]["legal_name"] == (
        "Hébergeur Armor SAS"
    )
    assert mine.json["items"][0]["authorisation"] == "unknown"
    assert town.get(f"/api/v1/subprocessors/municipalities/{sub_world.metz.id}").status_code == 404


def test_notice_lifecycle_through_the_api(api, client, sub_world, clock, make_user):
    dpo, rennes_api, metz_api = (
        api(sub_world.dpo.user),
        api(sub_world.rennes_dpo.user),
        api(sub_world.metz_dpo.user),
    )
    assert api(make_user("support")).post(NOTICES, json={}).status_code == 403
    created = dpo.post(NOTICES, json={"kind": "addition", "subprocessor_id": sub_world.sub.id})
    assert created.status_code == 201
    assert_documented(client, "post", NOTICES, created)
    nid = created.json["id"]
    refused = dpo.post(f"{NOTICES}/{nid}/send")
    assert refused.status_code == 400 and refused.json["code"] == "notice_incomplete"
    assert set(problem_fields(refused.json)) == {
        "activities",
        "contract_start_on",
        "contract_end_on",
    }
    updated = dpo.put(
        f"{NOTICES}/{nid}",
        json={
            "kind": "addition",
            "subprocessor_id": sub_world.sub.id,
            "activities": ["hosting"],
            "contract_start_on": "2026-04-01",
            "contract_end_on": "2029-03-31",
        },
    )
    assert updated.status_code == 200
    assert_documented(client, "put", NOTICES + "/{notice_id}", updated)
    sent = dpo.post(f"{NOTICES}/{nid}/send")
    assert sent.json["state"] == "sent"
    assert_documented(client, "post", NOTICES + "/{notice_id}/send", sent)

    page = dpo.get(f"{NOTICES}/{nid}/recipients")
    assert_documented(client, "get", NOTICES + "/{notice_id}/recipients", page)
    listed = page.json["items"]
    assert {r["state"] for r in listed} == {"awaiting_receipt"}
    assert {r["received_on"] for r in listed} == {None}
    for message in db.session.scalars(select(OutboxMessage)):
        message.state, message.accepted_at = "sent", SENT_AT
    db.session.commit()
    services.windows.start_windows(SENT_AT)

    [mine] = rennes_api.get(f"{NOTICES}/{nid}/recipients").json["items"]
    assert mine["organisation_id"] == sub_world.rennes.id and mine["state"] == "open"
    assert (mine["received_on"], mine["window_ends_on"]) == ("2026-03-02", "2026-03-09")
    assert mine["window_closes_at"].startswith("2026-03-09T23:00:00")
    [metz] = metz_api.get(f"{NOTICES}/{nid}/recipients").json["items"]
    rid, metz_id = mine["id"], metz["id"]

    assert (
        rennes_api.post(
            f"{NOTICES}/{nid}/recipients/{metz_id}/objection", json={"reason": "Non"}
        ).status_code
        == 404
    )
    instructor = api(make_user("instructor", sub_world.rennes))
    assert (
        instructor.post(
            f"{NOTICES}/{nid}/recipients/{rid}/objection", json={"reason": "Non"}
        ).status_code
        == 403
    )
    first = rennes_api.post(
        f"{NOTICES}/{nid}/recipients/{rid}/objection", json={"reason": "Non HDS"}
    )
    again = rennes_api.post(
        f"{NOTICES}/{nid}/recipients/{rid}/objection", json={"reason": "Non HDS"}
    )
    assert first.status_code == again.status_code == 200
    assert_documented(client, "post", RECIPIENT + "/objection", first)
    assert (
        first.json["objected_at"] == again.json["objected_at"] and first.json["state"] == "objected"
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.action == "subprocessor_notice.objected")
        )
        == 1
    )

    clock.set(datetime(2026, 3, 9, 23, 1, tzinfo=UTC))
    late = metz_api.post(f"{NOTICES}/{nid}/recipients/{metz_id}/objection", json={"reason": "Non"})
    assert late.status_code == 409 and late.json["code"] == "window_closed"
    assert "24:00 (heure de Paris)" in late.json["detail"]

    receipt = dpo.post(
        f"{NOTICES}/{nid}/recipients/{metz_id}/receipt",
        json={"received_on": "2026-03-04", "proof": "AR 1A 234"},
    )
    assert receipt.status_code == 200 and receipt.json["window_ends_on"] == "2026-03-11"
    assert_documented(client, "post", RECIPIENT + "/receipt", receipt)
    approved = metz_api.post(
        f"{NOTICES}/{nid}/recipients/{metz_id}/approval", json={"reference": "Délibération 12"}
    )
    assert approved.json["state"] == "approved"
    assert_documented(client, "post", RECIPIENT + "/approval", approved)
    outcome = dpo.post(
        f"{NOTICES}/{nid}/recipients/{rid}/outcome",
        json={"outcome": "alternative_offered", "note": "Autre hébergeur"},
    )
    assert outcome.status_code == 200 and outcome.json["state"] == "resolved"
    assert_documented(client, "post", RECIPIENT + "/outcome", outcome)
    assert_documented(client, "get", RECIPIENT, dpo.get(f"{NOTICES}/{nid}/recipients/{rid}"))
    assert_documented(client, "get", NOTICES, dpo.get(NOTICES))
    bad = dpo.post(f"{NOTICES}/{nid}/recipients/{rid}/outcome", json={"outcome": "maybe"})
    assert bad.status_code == 400 and set(problem_fields(bad.json)) == {"outcome", "note"}
    assert metz_api.get(f"{NOTICES}/{nid}/recipients/{rid}").status_code == 404
    assert rennes_api.get(f"{NOTICES}").json["total"] == 1


def test_objection_one_minute_before_the_close_through_the_api(api, sub_world, clock):
    notice = services.notices.create_notice(
        {
            "kind": "addition",
            "subprocessor_id": sub_world.sub.id,
            "activities": ["hosting"],
            "contract_start_on": SENT_AT.date(),
            "contract_end_on": SENT_AT.date() + timedelta(days=900),
            "scope": "all",
        },
        actor=sub_world.dpo,
        now=clock(),
    )
    services.notices.send_notice(notice.id, actor=sub_world.dpo, now=clock())
    for message in db.session.scalars(select(OutboxMessage)):
        message.state, message.accepted_at = "sent", SENT_AT
    db.session.commit()
    services.windows.start_windows(SENT_AT)
    rid = (
        api(sub_world.rennes_dpo.user)
        .get(f"{NOTICES}/{notice.id}/recipients")
        .json["items"][0]["id"]
    )
    clock.set(datetime(2026, 3, 9, 22, 59, tzinfo=UTC))
    answer = api(sub_world.rennes_dpo.user).post(
        f"{NOTICES}/{notice.id}/recipients/{rid}/objection", json={"reason": "Non"}
    )
    assert answer.status_code == 200 and answer.json["state"] == "objected"
