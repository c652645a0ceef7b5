"""/api/v1/breaches: each step, hours left, refused roles (403), foreign municipality (404)."""

import pytest

from rgpd_app import scheduler
from tests.api_support import assert_documented, problem_fields

BODY = {
    "started_at": "2026-03-01T23:00+01:00",
    "ended_at": None,
    "is_ongoing": True,
    "aware_at": "2026-03-02T08:30",
    "discovery": "Signalement d'un usager",
    "description": "Courriels envoyés au mauvais destinataire",
    "natures": ["confidentiality"],
    "cause": "internal_accidental",
    "data_categories": ["Coordonnées"],
    "person_categories": ["Agents"],
    "contact_point": "RSSI",
}


@pytest.fixture(autouse=True)
def eml(app):
    app.config["SMTP_HOST"] = ""


@pytest.fixture
def towns(make_org):
    return make_org("Metz", departement="57"), make_org("Vitré", breach_authority_hours=48)


@pytest.fixture
def officer(api, make_user):
    return api(make_user("security_officer"))


NOTICE = "/api/v1/breaches/notices/{notice_id}"


def test_record_confirm_and_list_notices_with_their_clocks(app, api, client, officer, towns, clock):
    response = officer.post(
        "/api/v1/breaches", json={**BODY, "organisation_ids": [t.id for t in towns]}
    )
    assert response.status_code == 201, response.json
    assert_documented(client, "post", "/api/v1/breaches", response)
    breach = response.json
    assert (
        breach["reference"] == "VIOL-2026-0001"
        and breach["aware_at"] == "2026-03-02T07:30:00+00:00"
    )
    ids = [n["id"] for n in breach["notices"]]
    for notice_id in ids:
        confirmed = officer.post(f"/api/v1/breaches/notices/{notice_id}/confirm")
        assert confirmed.status_code == 200
        assert_documented(client, "post", NOTICE + "/confirm", confirmed)
    clock.advance(hours=1)
    scheduler.tick(clock())
    listed = officer.get("/api/v1/breaches/notices")
    assert_documented(client, "get", "/api/v1/breaches/notices", listed)
    assert_documented(client, "get", NOTICE, officer.get(f"/api/v1/breaches/notices/{ids[0]}"))
    assert_documented(client, "get", "/api/v1/breaches", officer.get("/api/v1/breaches"))
    assert_documented(
        client,
        "get",
        "/api/v1/breaches/{breach_id}",
        officer.get(f"/api/v1/breaches/{breach['id']}"),
    )
    items = listed.json["items"]
    clocks = {n["organisation_name"]: n for n in items}
    assert clocks["Vitré"]["authority_deadline_at"] == "2026-03-04T10:00:00+00:00"
    assert clocks["Metz"]["authority_deadline_at"] == "2026-03-05T10:00:00+00:00"
    assert clocks["Metz"]["notified_at"] == "2026-03-02T10:00:00+00:00"
    assert clocks["Metz"]["aware_at"] == "2026-03-02T07:30:00+00:00"
    assert (clocks["Metz"]["hours_left"], clocks["Vitré"]["hours_left"]) == (72.0, 48.0)
    assert [n["organisation_name"] for n in items] == ["Vitré", "Metz"]  # most urgent first


def test_update_letter_decision_and_cnil_notifications(
    app, api, client, make_user, officer, towns, clock
):
    breach = officer.post("/api/v1/breaches", json={**BODY, "organisation_ids": [towns[0].id]}).json
    notice_id = breach["notices"][0]["id"]
    officer.post(f"/api/v1/breaches/notices/{notice_id}/confirm")
    scheduler.tick(clock())
    update = officer.post(
        f"/api/v1/breaches/{breach['id']}/updates",
        json={"summary": "Fin de l'incident", "is_ongoing": False, "ended_at": "2026-03-02T09:00"},
    )
    assert update.status_code == 201 and update.json["phase"] == 2
    assert_documented(client, "post", "/api/v1/breaches/{breach_id}/updates", update)
    assert sorted(update.json["changed_fields"]) == ["ended_at", "is_ongoing"]
    letter = officer.post(
        f"/api/v1/breaches/notices/{notice_id}/letter",
        json={"sent_on": "2026-03-02", "tracking_number": "1A 001 122 3344 5"},
    )
    assert (
        letter.status_code == 200 and letter.json["letter_tracking_number"] == "1A 001 122 3344 5"
    )
    assert_documented(client, "post", NOTICE + "/letter", letter)
    dpo = api(make_user("controller_dpo", towns[0]))
    decision = dpo.post(
        f"/api/v1/breaches/notices/{notice_id}/decision",
        json={
            "risk_level": "high",
            "risk_reasoning": "Adresses exposées",
            "persons_information": "pending",
        },
    )
    assert decision.status_code == 200
    assert_documented(client, "post", NOTICE + "/decision", decision)
    clock.advance(hours=80)
    late = {"kind": "initial", "notified_at": "2026-03-05T18:00"}
    refused = dpo.post(f"/api/v1/breaches/notices/{notice_id}/cnil-notifications", json=late)
    assert refused.status_code == 400
    assert "delay_reason" in problem_fields(refused.json)
    late["delay_reason"] = "Attente de l'expertise"
    done = dpo.post(f"/api/v1/breaches/notices/{notice_id}/cnil-notifications", json=late)
    assert done.status_code == 201 and done.json["is_late"] is True
    assert_documented(client, "post", NOTICE + "/cnil-notifications", done)
    form = dpo.get(f"/api/v1/breaches/notices/{notice_id}/cnil-form")
    assert form.json["sections"][0]["title"] == "Type de notification"
    assert_documented(client, "get", NOTICE + "/cnil-form", form)
    read = dpo.get("/api/v1/breaches/register")
    assert_documented(client, "get", "/api/v1/breaches/register", read)
    register = read.json
    assert (
        register["total"] == 1 and register["items"][0]["delay_reason"] == "Attente de l'expertise"
    )


def test_bad_input_is_refused_with_every_field(api, officer, towns):
    body = {
        **BODY,
        "aware_at": "2026-10-25T02:30",
        "natures": ["secrecy"],
        "organisation_ids": [towns[0].id],
    }
    response = officer.post("/api/v1/breaches", json=body)
    assert response.status_code == 400
    assert set(problem_fields(response.json)) == {"aware_at", "natures"}
    assert "ambiguë" in problem_fields(response.json)["aware_at"][0]


def test_municipalities_and_activities(api, client, officer, towns, clock, app):
    from rgpd_app.extensions import db
    from rgpd_app.register.models import ProcessingActivity

    activity = ProcessingActivity(
        controller_id=towns[1].id, name="Cantine", created_at=clock(), updated_at=clock()
    )
    db.session.add(activity)
    db.session.commit()
    breach = officer.post("/api/v1/breaches", json={**BODY, "organisation_ids": [towns[0].id]}).json
    linked = officer.put(
        f"/api/v1/breaches/{breach['id']}/activities", json={"activity_ids": [activity.id]}
    )
    assert linked.json["suggested_organisation_ids"] == [towns[1].id]
    assert_documented(client, "put", "/api/v1/breaches/{breach_id}/activities", linked)
    added = officer.post(
        f"/api/v1/breaches/{breach['id']}/municipalities",
        json={"organisation_id": towns[1].id, "persons_count": 12},
    )
    assert added.status_code == 200 and added.json["persons_count"] == 12
    assert_documented(client, "post", "/api/v1/breaches/{breach_id}/municipalities", added)
    gone = officer.delete(f"/api/v1/breaches/{breach['id']}/municipalities/{towns[0].id}")
    assert gone.status_code == 204
    last = officer.delete(f"/api/v1/breaches/{breach['id']}/municipalities/{towns[1].id}")
    assert last.status_code == 409


@pytest.mark.parametrize("role", ["support", "admin"])
def test_support_and_admin_are_refused(api, make_user, officer, towns, role):
    breach = officer.post("/api/v1/breaches", json={**BODY, "organisation_ids": [towns[0].id]}).json
    notice_id = breach["notices"][0]["id"]
    caller = api(make_user(role))
    assert caller.get("/api/v1/breaches").status_code == 403
    assert caller.post("/api/v1/breaches", json=BODY).status_code == 403
    assert caller.get(f"/api/v1/breaches/{breach['id']}").status_code == 403
    assert caller.get("/api/v1/breaches/notices").status_code == 403
    assert caller.get(f"/api/v1/breaches/notices/{notice_id}").status_code == 403
    assert caller.post(f"/api/v1/breaches/notices/{notice_id}/confirm").status_code == 403
    assert caller.get("/api/v1/breaches/register").status_code == 403


def test_municipality_users_see_only_their_confirmed_notices(api, make_user, officer, towns, clock):
    breach = officer.post(
        "/api/v1/breaches", json={**BODY, "organisation_ids": [t.id for t in towns]}
    ).json
    metz_id, vitre_id = (n["id"] for n in breach["notices"])
    dpo = api(make_user("controller_dpo", towns[0]))
    assert dpo.get(f"/api/v1/breaches/notices/{metz_id}").status_code == 404  # not confirmed yet
    officer.post(f"/api/v1/breaches/notices/{metz_id}/confirm")
    officer.post(f"/api/v1/breaches/notices/{vitre_id}/confirm")
    assert dpo.get(f"/api/v1/breaches/notices/{metz_id}").status_code == 200
    assert dpo.get(f"/api/v1/breaches/notices/{vitre_id}").status_code == 404
    assert dpo.get(f"/api/v1/breaches/notices/{vitre_id}/cnil-form").status_code == 404
    decision = {"risk_level": "none", "risk_reasoning": "x", "persons_information": "not_required"}
    assert (
        dpo.post(f"/api/v1/breaches/notices/{vitre_id}/decision", json=decision).status_code == 404
    )
    assert [n["id"] for n in dpo.get("/api/v1/breaches/notices").json["items"]] == [metz_id]
    assert dpo.get(f"/api/v1/breaches/{breach['id']}").status_code == 403
    assert dpo.post("/api/v1/breaches", json=BODY).status_code == 403
    assert dpo.post(f"/api/v1/breaches/notices/{metz_id}/letter", json={}).status_code == 403
    instructor = api(make_user("instructor", towns[0]))
    assert instructor.get(f"/api/v1/breaches/notices/{metz_id}").status_code == 200
    assert (
        instructor.post(f"/api/v1/breaches/notices/{metz_id}/decision", json=decision).status_code
        == 403
    )
    today = clock().date()
    auditor = api(
        make_user(
            "auditor",
            towns[1],
            controller_id=towns[1].id,
            valid_from_on=today,
            valid_until_on=today,
        )
    )
    assert auditor.get(f"/api/v1/breaches/notices/{vitre_id}").status_code == 200
    assert auditor.get(f"/api/v1/breaches/notices/{metz_id}").status_code == 404


def test_an_instant_outside_what_utc_can_hold_is_a_field_error(officer, towns):
    # Found while fuzzing the breach inputs: "0001-01-01T00:00+01:00" is before year 1 in UTC,
    # and its conversion failed with a server error instead of naming the field.
    body = {**BODY, "aware_at": "0001-01-01T00:00+01:00", "organisation_ids": [towns[0].id]}
    response = officer.post("/api/v1/breaches", json=body)
    assert response.status_code == 400
    assert list(problem_fields(response.json)) == ["aware_at"]
