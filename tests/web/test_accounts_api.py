"""/api/v1/accounts, /api/v1/tokens, /api/v1/me and /api/v1/organisations: the use cases of the
« Comptes » and « Mon compte » pages through the API, with their roles, tenancy, rules and
journal entries."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from rgpd_app.accounts.models import ApiToken
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from tests.api_support import problem_fields

NEW_PASSWORD = "Quatre-saisons-sous-la-pluie-fine-7"


def journal(action: str) -> list[JournalEntry]:
    return db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == action).order_by(JournalEntry.id)
    ).all()


@pytest.fixture
def towns(make_org):
    return make_org("Commune de Vitré"), make_org("Commune de Fougères")


def new_account(org, **extra) -> dict:
    return {
        "email": "camille.martin@mairie.example",
        "name": "Camille Martin",
        "organisation_id": org.id,
        "role": "instructor",
        "password": NEW_PASSWORD,
        **extra,
    }


# --- accounts ---------------------------------------------------------------------------------


def test_administrators_list_every_account_a_municipalitys_dpo_its_own(api, make_user, towns):
    mine, other = towns
    dpo = make_user("controller_dpo", mine)
    colleague, stranger = make_user("instructor", mine), make_user("instructor", other)
    listed = api(dpo).get("/api/v1/accounts").json
    assert {u["id"] for u in listed["items"]} == {dpo.id, colleague.id}
    assert stranger.id in {
        u["id"] for u in api(make_user("admin")).get("/api/v1/accounts").json["items"]
    }
    for role in ("processor_dpo", "security_officer", "support"):
        assert api(make_user(role)).get("/api/v1/accounts").status_code == 403, role
    assert api(colleague).get("/api/v1/accounts").status_code == 403
    assert api(dpo).get(f"/api/v1/accounts/{stranger.id}").status_code == 404
    assert api(dpo).get(f"/api/v1/accounts/{colleague.id}").json["email"] == colleague.email
    assert journal("user.list_read") and journal("user.read")[-1].object_id == str(colleague.id)


def test_an_account_is_created_with_its_first_role_and_no_password_comes_back(
    api, make_user, towns
):
    admin = api(make_user("admin"))
    created = admin.post("/api/v1/accounts", json=new_account(towns[0]))
    assert created.status_code == 201
    body = created.json
    assert body["roles"] == ["instructor"] and body["grants"][0]["role"] == "instructor"
    assert not {"password", "password_hash", "totp_secret"} & set(body)
    assert journal("user.created")[-1].object_id == str(body["id"])
    assert journal("role.granted")[-1].object_id == str(body["id"])
    again = admin.post("/api/v1/accounts", json=new_account(towns[0]))
    assert again.status_code == 400 and "email" in problem_fields(again.json)


def test_roles_that_manage_no_account_are_refused_before_their_input_is_read(api, make_user, towns):
    for role, org in (("processor_dpo", None), ("support", None), ("instructor", towns[0])):
        refused = api(make_user(role, org)).post("/api/v1/accounts", json={})
        assert refused.status_code == 403, role


def test_a_municipalitys_dpo_opens_accounts_only_in_its_municipality_with_its_roles(
    api, make_user, towns, processor
):
    mine, other = towns
    dpo = api(make_user("controller_dpo", mine))
    foreign = dpo.post("/api/v1/accounts", json=new_account(other))
    assert foreign.status_code == 400 and "organisation_id" in problem_fields(foreign.json)
    staff = dpo.post("/api/v1/accounts", json=new_account(processor, role="support"))
    assert staff.status_code == 400 and "organisation_id" in problem_fields(staff.json)
    processor_role = dpo.post("/api/v1/accounts", json=new_account(mine, role="support"))
    assert processor_role.status_code == 400 and processor_role.json["code"] == "role_refused"
    assert dpo.post("/api/v1/accounts", json=new_account(mine)).status_code == 201


def test_an_organisation_id_past_the_database_is_a_400_not_a_server_error(api, make_user, towns):
    admin = api(make_user("admin"))
    for body in ({"organisation_id": 2**70, "password": NEW_PASSWORD},  # the password's check
                 new_account(towns[0], organisation_id=2**70)):  # fmt: skip
        answer = admin.post("/api/v1/accounts", json=body)
        assert answer.status_code == 400, body
    assert "organisation_id" in problem_fields(answer.json)


def test_a_disabled_account_loses_its_tokens_use_until_enabled_again(api, make_user, towns):
    admin_user = make_user("admin")
    admin, user = api(admin_user), make_user("controller_dpo", towns[0])
    own = api(user)
    disabled = admin.post(f"/api/v1/accounts/{user.id}/disable")
    assert disabled.status_code == 200 and disabled.json["is_enabled"] is False
    assert own.get("/api/v1/me").status_code == 401
    assert admin.post(f"/api/v1/accounts/{user.id}/enable").json["is_enabled"] is True
    assert own.get("/api/v1/me").status_code == 200
    assert [e.action for e in journal("user.disabled") + journal("user.enabled")] == [
        "user.disabled", "user.enabled"
    ]  # fmt: skip
    assert admin.post(f"/api/v1/accounts/{admin_user.id}/disable").status_code == 403  # oneself


def test_a_municipalitys_dpo_disables_only_its_own_accounts(api, make_user, towns):
    mine, other = towns
    dpo = api(make_user("controller_dpo", mine))
    assert (
        dpo.post(f"/api/v1/accounts/{make_user('instructor', other).id}/disable").status_code == 404
    )
    assert (
        dpo.post(f"/api/v1/accounts/{make_user('instructor', mine).id}/disable").status_code == 200
    )
    assert api(make_user("support")).post("/api/v1/accounts/1/disable").status_code == 403


def test_an_administrator_resets_a_password_and_the_accounts_tokens_are_revoked(
    api, make_user, towns
):
    admin_user, user = make_user("admin"), make_user("controller_dpo", towns[0])
    admin, own = api(admin_user), api(user)
    assert own.post(f"/api/v1/accounts/{user.id}/password-reset",
                    json={"password": NEW_PASSWORD}).status_code == 403  # fmt: skip
    weak = admin.post(f"/api/v1/accounts/{user.id}/password-reset", json={"password": "vitre2026"})
    assert weak.status_code == 400 and "password" in problem_fields(weak.json)
    done = admin.post(f"/api/v1/accounts/{user.id}/password-reset", json={"password": NEW_PASSWORD})
    assert done.status_code == 204 and done.get_data() == b""
    assert own.get("/api/v1/me").status_code == 401
    assert journal("account.password_reset")[-1].object_id == str(user.id)
    assert "account.password_reset" in journal("token.revoked")[-1].details
    oneself = admin.post(
        f"/api/v1/accounts/{admin_user.id}/password-reset", json={"password": NEW_PASSWORD}
    )
    assert oneself.status_code == 403


# --- role grants ------------------------------------------------------------------------------


def test_nobody_grants_a_role_to_themselves(api, make_user):
    admin_user = make_user("admin")
    refused = api(admin_user).post(
        f"/api/v1/accounts/{admin_user.id}/grants", json={"role": "support"}
    )
    assert refused.status_code == 400 and refused.json["code"] == "role_refused"
    assert "propres droits" in refused.json["detail"]


def test_key_roles_are_not_cumulated(api, make_user):
    admin, other_admin = api(make_user("admin")), make_user("admin")
    refused = admin.post(
        f"/api/v1/accounts/{other_admin.id}/grants", json={"role": "processor_dpo"}
    )
    assert refused.status_code == 400 and "cumulés" in refused.json["detail"]
    officer = make_user("security_officer")
    refused = admin.post(f"/api/v1/accounts/{officer.id}/grants", json={"role": "admin"})
    assert refused.status_code == 400 and "cumulés" in refused.json["detail"]


def test_a_role_granted_for_a_period_is_held_only_within_it(api, make_user, clock):
    admin, user = api(make_user("admin")), make_user("support")
    today = clock().date()
    granted = admin.post(
        f"/api/v1/accounts/{user.id}/grants",
        json={"role": "security_officer", "valid_from_on": str(today + timedelta(days=1)),
              "valid_until_on": str(today + timedelta(days=10))},
    )  # fmt: skip
    assert granted.status_code == 201 and granted.json["valid_until_on"] == str(
        today + timedelta(days=10)
    )
    own = api(user)
    assert own.get("/api/v1/me").json["active_roles"] == ["support"]
    clock.advance(days=1)
    assert own.get("/api/v1/me").json["active_roles"] == ["security_officer", "support"]
    clock.advance(days=10)
    assert own.get("/api/v1/me").json["active_roles"] == ["support"]
    assert journal("role.granted")[-1].details.count(str(today + timedelta(days=10))) == 1


def test_a_period_ends_after_it_starts_and_not_in_the_past(api, make_user, clock):
    admin, user = api(make_user("admin")), make_user("support")
    today = clock().date()
    for period in ((today, today - timedelta(days=1)), (None, today - timedelta(days=1))):
        body = {"role": "security_officer", "valid_until_on": str(period[1])}
        if period[0]:
            body["valid_from_on"] = str(period[0])
        refused = admin.post(f"/api/v1/accounts/{user.id}/grants", json=body)
        assert refused.status_code == 400 and refused.json["code"] == "role_refused", period


def test_a_role_planned_later_counts_against_cumulation(api, make_user, clock):
    admin, user = api(make_user("admin")), make_user("support")
    later = str(clock().date() + timedelta(days=30))
    planned = {"role": "admin", "valid_from_on": later}
    assert admin.post(f"/api/v1/accounts/{user.id}/grants", json=planned).status_code == 201
    refused = admin.post(f"/api/v1/accounts/{user.id}/grants", json={"role": "processor_dpo"})
    assert refused.status_code == 400 and "cumulés" in refused.json["detail"]


def test_a_municipalitys_dpo_grants_only_its_municipalitys_roles(api, make_user, towns):
    mine, other = towns
    dpo = api(make_user("controller_dpo", mine))
    colleague = make_user("instructor", mine)
    granted = dpo.post(f"/api/v1/accounts/{colleague.id}/grants", json={"role": "controller_dpo"})
    assert granted.status_code == 201
    staff = dpo.post(f"/api/v1/accounts/{colleague.id}/grants", json={"role": "support"})
    assert staff.status_code == 400 and staff.json["code"] == "role_refused"
    stranger = make_user("instructor", other)
    assert dpo.post(f"/api/v1/accounts/{stranger.id}/grants",
                    json={"role": "controller_dpo"}).status_code == 404  # fmt: skip


def test_a_role_is_revoked_once_and_never_by_its_holder(api, make_user):
    admin_user, user = make_user("admin"), make_user("support")
    admin = api(admin_user)
    grant_id = admin.get(f"/api/v1/accounts/{user.id}/grants").json["items"][0]["id"]
    assert admin.delete(f"/api/v1/accounts/{user.id}/grants/{grant_id}").status_code == 204
    assert journal("role.revoked")[-1].object_id == str(user.id)
    again = admin.delete(f"/api/v1/accounts/{user.id}/grants/{grant_id}")
    assert again.status_code == 409 and again.json["code"] == "grant_revoked"
    listed = admin.get(f"/api/v1/accounts/{user.id}/grants").json["items"]
    assert listed[0]["revoked_at"] is not None  # the history stays
    own_grant = admin_user.grants[0].id
    assert admin.delete(f"/api/v1/accounts/{user.id}/grants/{own_grant}").status_code == 404
    assert admin.delete(f"/api/v1/accounts/{admin_user.id}/grants/{own_grant}").status_code == 403


# --- tokens -----------------------------------------------------------------------------------


def test_a_token_made_through_the_api_is_shown_once_and_lives_90_days(
    api, make_user, clock, client
):
    user = make_user("support")
    own = api(user)
    made = own.post("/api/v1/tokens", json={"label": "SIG"})
    assert made.status_code == 201 and made.json["token"].startswith("rgpd_")
    assert made.json["expires_at"] == (clock() + timedelta(days=90)).isoformat()
    assert journal("token.created")[-1].object_id == str(user.id)
    fresh = {"Authorization": f"Bearer {made.json['token']}"}
    assert client.get("/api/v1/me", headers=fresh).json["id"] == user.id
    listed = own.get("/api/v1/tokens").json
    assert listed["total"] == 2 and all("token" not in t for t in listed["items"])
    assert all(not {"token_hash"} & set(t) for t in listed["items"])
    # a token made with a token never outlives it: a stolen token cannot renew itself
    yearly = own.post("/api/v1/tokens", json={"label": "SIG", "valid_days": 365})
    assert yearly.json["expires_at"] == (clock() + timedelta(days=90)).isoformat()
    clock.advance(days=10)
    shorter = own.post("/api/v1/tokens", json={"label": "SIG", "valid_days": 30})
    assert shorter.json["expires_at"] == (clock() + timedelta(days=30)).isoformat()
    clock.advance(days=-10)
    refused = own.post("/api/v1/tokens", json={"label": "SIG", "valid_days": 366})
    assert refused.status_code == 400 and "valid_days" in problem_fields(refused.json)
    clock.advance(days=90)
    answer = client.get("/api/v1/me", headers=fresh)
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"


def test_a_token_is_revoked_by_its_owner_or_an_administrator(api, make_user, client):
    owner, other = make_user("support"), make_user("support")
    own = api(owner)
    made = own.post("/api/v1/tokens", json={}).json
    assert api(other).delete(f"/api/v1/tokens/{made['id']}").status_code == 404
    assert own.delete(f"/api/v1/tokens/{made['id']}").status_code == 204
    revoked = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/api/v1/me", headers=revoked).status_code == 401
    again = own.delete(f"/api/v1/tokens/{made['id']}")
    assert again.status_code == 409 and again.json["code"] == "token_revoked"
    assert journal("token.revoked")[-1].object_id == str(made["id"])
    second = own.post("/api/v1/tokens", json={}).json
    assert api(make_user("admin")).delete(f"/api/v1/tokens/{second['id']}").status_code == 204


def test_the_token_list_shows_only_ones_own_tokens(api, make_user):
    first, second = api(make_user("support")), api(make_user("support"))
    mine = {t["id"] for t in first.get("/api/v1/tokens").json["items"]}
    theirs = {t["id"] for t in second.get("/api/v1/tokens").json["items"]}
    assert len(mine) == len(theirs) == 1 and not mine & theirs
    assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 2


def test_me_names_the_roles_held_today(api, make_user, towns):
    body = api(make_user("controller_dpo", towns[0])).get("/api/v1/me").json
    assert body["active_roles"] == ["controller_dpo"] and body["audited_controller_ids"] == []
    assert journal("api.me_read")


# --- organisations ----------------------------------------------------------------------------


def test_an_administrator_rewrites_an_organisations_record(api, make_user, towns):
    town = towns[0]
    record = {"name": "Commune de Vitré", "siren": town.siren, "departement": "35",
              "dpo_name": "Claire Weber", "objection_days": 10}  # fmt: skip
    updated = api(make_user("admin")).put(f"/api/v1/organisations/{town.id}", json=record)
    assert updated.status_code == 200
    assert updated.json["dpo_name"] == "Claire Weber" and updated.json["objection_days"] == 10
    assert journal("organisation.updated")[-1].object_id == str(town.id)
    for role, org in (("processor_dpo", None), ("controller_dpo", town)):
        refused = api(make_user(role, org)).put(f"/api/v1/organisations/{town.id}", json=record)
        assert refused.status_code == 403, role


def test_the_processor_keeps_its_yearly_password_renewal(api, make_user, processor):
    admin = api(make_user("admin"))
    record = {"name": processor.name, "siren": processor.siren, "departement": "35",
              "is_password_renewal_required": False}  # fmt: skip
    updated = admin.put(f"/api/v1/organisations/{processor.id}", json=record)
    assert updated.status_code == 200 and updated.json["is_password_renewal_required"] is True


def test_every_account_reads_the_processors_record(api, make_user, towns, processor):
    answer = api(make_user("instructor", towns[0])).get("/api/v1/organisations/processor")
    assert answer.status_code == 200 and answer.json["id"] == processor.id
    assert answer.json["kind"] == "processor"
    assert journal("organisation.read")[-1].object_id == str(processor.id)


def test_the_organisation_input_is_documented_from_its_schema(client):
    spec = client.get("/api/v1/openapi.json").json
    documented = spec["components"]["schemas"]["OrganisationInput"]["properties"]
    assert {"breach_processor_hours", "auditor_access_days", "is_password_renewal_required"} <= set(
        documented
    )
    put = spec["paths"]["/api/v1/organisations/{org_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrganisationInput"
    }
