"""ASVS 5.0 V7.5.1 / V7.5.3: a sensitive action needs an identity confirmed lately — the
password again, and the two-factor code for an account that has one. A sign-in counts; the
confirmation lasts REAUTH_MINUTES; a wrong password counts towards the lockout."""

import re

import pyotp
import pytest
from sqlalchemy import select

from rgpd_app.accounts.models import ApiToken, User
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from tests.conftest import PASSWORD


def unconfirmed(client):
    with client.session_transaction() as sess:
        sess.pop("confirmed_at", None)


def actions(client):
    return db.session.scalars(select(JournalEntry.action)).all()


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def test_v7_5_1_creating_an_api_token_asks_for_the_password_again(
    client, login_as, make_user, make_org
):
    user = login_as(make_user("controller_dpo", make_org("Vitré")))
    unconfirmed(client)
    refused = client.post("/account/tokens", data={"label": "SIG"},
                          headers={"Referer": "http://localhost/account/tokens"})  # fmt: skip
    assert (
        refused.status_code == 302 and "/account/confirm?next=/account/tokens" in refused.location
    )
    assert db.session.scalars(select(ApiToken)).all() == []
    page = client.get(refused.location).get_data(as_text=True)
    assert 'name="password"' in page and 'name="code"' not in page  # no second factor: no code
    wrong = client.post(
        "/account/confirm", data={"password": "pas-le-bon", "next": "/account/tokens"}
    )
    assert wrong.status_code == 400 and "Mot de passe incorrect" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == 1  # towards the lockout
    right = client.post("/account/confirm", data={"password": PASSWORD, "next": "/account/tokens"})
    assert right.status_code == 302 and right.location.endswith("/account/tokens")
    assert "reauth.confirmed" in actions(client)
    assert client.post("/account/tokens", data={"label": "SIG"}).status_code == 200
    assert len(db.session.scalars(select(ApiToken)).all()) == 1


def test_v7_5_3_a_processor_account_confirms_with_its_two_factor_code(
    client, clock, login_as, make_user
):
    officer = login_as(make_user("processor_dpo", totp=True))
    unconfirmed(client)
    assert client.post("/evidence/", data={"controller": "x"}).status_code == 302
    page = client.get("/account/confirm?next=/evidence/").get_data(as_text=True)
    assert 'name="code"' in page
    no_code = client.post("/account/confirm", data={"password": PASSWORD, "next": "/evidence/"})
    assert no_code.status_code == 400
    code = pyotp.TOTP(officer.totp_secret).at(clock())
    ok = client.post(
        "/account/confirm", data={"password": PASSWORD, "code": code, "next": "/evidence/"}
    )
    assert ok.status_code == 302 and ok.location.endswith("/evidence/")


def test_granting_a_role_and_a_whole_register_export_need_a_confirmation(
    app, client, clock, login_as, admin, make_user
):
    login_as(admin)
    target = make_user("support")
    unconfirmed(client)
    granted = actions(client).count("role.granted")
    grant = client.post(f"/users/{target.id}/grants", data={"role": "security_officer"},
                        headers={"Referer": f"http://localhost/users/{target.id}"})  # fmt: skip
    assert grant.status_code == 302 and f"next=/users/{target.id}" in grant.location
    assert actions(client).count("role.granted") == granted  # nothing granted
    client.post("/account/confirm", data={"password": PASSWORD, "next": "/"})
    assert actions(client).count("role.granted") == granted
    assert (
        client.post(f"/users/{target.id}/grants", data={"role": "security_officer"}).status_code
        == 302
    )
    # The confirmation lasts REAUTH_MINUTES, then is asked again.
    login_as("processor_dpo")
    clock.advance(minutes=app.config["REAUTH_MINUTES"] + 1)
    whole = client.get("/register/export?format=csv&register=processor")
    assert whole.status_code == 302 and "/account/confirm" in whole.location
    assert re.search(r"next=/register/export%3F|next=/register/export\?", whole.location)
    assert client.get("/register/export?format=csv").status_code == 200  # a filtered list: no


def test_the_confirmation_never_sends_elsewhere(client, login_as):
    login_as("processor_dpo")
    answer = client.post(
        "/account/confirm", data={"password": PASSWORD, "next": "https://evil.example/"}
    )
    assert answer.status_code == 302 and answer.location.endswith("/dashboard")
    answer = client.post(
        "/account/confirm", data={"password": PASSWORD, "next": "//evil.example/x"}
    )
    assert answer.location.endswith("/dashboard")
