import re

import pyotp
import pytest

from rgpd_app.extensions import db
from tests.conftest import PASSWORD


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_login_without_two_factor_for_a_municipality_user(client, make_org, make_user):
    user = make_user("controller_dpo", make_org())
    response = login(client, user.email)
    assert response.status_code == 302 and response.location.endswith("/dashboard")
    page = client.get("/dashboard")
    assert "DPO de la collectivité" in page.get_data(as_text=True)


def test_processor_role_must_enrol_two_factor_before_anything(client, make_user, clock):
    user = make_user("processor_dpo")
    response = login(client, user.email)
    assert response.location.endswith("/login/enrol")
    assert client.get("/dashboard").status_code == 302  # not logged in yet
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page
    bad = client.post("/login/enrol", data={"code": "000000"})
    assert bad.status_code == 400 and "Code incorrect" in bad.get_data(as_text=True)
    code = pyotp.TOTP(secret).at(clock().timestamp())
    ok = client.post("/login/enrol", data={"code": code})
    assert ok.location.endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_login_with_two_factor_asks_for_the_code(client, make_user, clock):
    user = make_user("security_officer", totp=True)
    assert login(client, user.email).location.endswith("/login/code")
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 400
    code = pyotp.TOTP(user.totp_secret).at(clock().timestamp())
    assert client.post("/login/code", data={"code": code}).location.endswith("/dashboard")


def test_the_code_page_without_a_password_step_goes_back_to_login(client):
    assert client.get("/login/code").location.endswith("/login")


def test_wrong_password_and_unknown_account_read_the_same(client, make_user):
    user = make_user("support")
    a = login(client, user.email, "wrong password!").get_data(as_text=True)
    b = login(client, "ghost@example.org", "wrong password!").get_data(as_text=True)
    message = "Identifiant ou mot de passe incorrect"
    assert message in a and message in b


def test_missing_fields_are_named_in_french(client):
    response = client.post("/login", data={"email": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and body.count("Ce champ est obligatoire.") >= 2


def test_logout_invalidates_a_copied_session_cookie(client, app, make_org, make_user):
    user = make_user("controller_dpo", make_org())
    login(client, user.email)
    stolen = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.environ_base["HTTP_USER_AGENT"] = "pytest-client"
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard").status_code == 302


def test_disabling_an_account_ends_its_session(client, make_org, make_user, clock):
    from rgpd_app.accounts.users import services as management
    from rgpd_app.foundation.actor import actor_for

    user = make_user("controller_dpo", make_org())
    login(client, user.email)
    assert client.get("/dashboard").status_code == 200
    management.set_enabled(user, False, actor=actor_for(make_user("admin"), clock()), now=clock())
    assert client.get("/dashboard").status_code == 302


def test_idle_session_expires_after_thirty_minutes(client, make_org, make_user, clock):
    user = make_user("controller_dpo", make_org())
    login(client, user.email)
    clock.advance(minutes=29)
    assert client.get("/dashboard").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/dashboard")
    assert response.status_code == 302 and "expired=1" in response.location


def test_a_page_within_a_minute_of_the_last_writes_no_session_cookie(
    client, make_org, make_user, clock
):
    # The last activity is written at most once a minute: a page that changes nothing sends
    # no new cookie, and the idle limit counts from the last write, so it is never exceeded.
    user = make_user("controller_dpo", make_org())
    login(client, user.email)
    client.get("/dashboard")  # the first page keeps its form token in the session
    clock.advance(seconds=30)
    assert "Set-Cookie" not in client.get("/dashboard").headers
    clock.advance(seconds=40)  # 70 s after the sign-in: written again
    assert "session=" in client.get("/dashboard").headers["Set-Cookie"]
    clock.advance(seconds=59)
    assert "Set-Cookie" not in client.get("/dashboard").headers
    clock.advance(
        minutes=29, seconds=2
    )  # 30 min 1 s after the last write, 29 min 3 s after the last page
    response = client.get("/dashboard")
    assert response.status_code == 302 and "expired=1" in response.location


def test_expired_password_forces_a_change_after_login(client, make_user, clock):
    user = make_user("support", totp=True)
    clock.advance(days=366)
    login(client, user.email)
    code = pyotp.TOTP(user.totp_secret).at(clock().timestamp())
    assert client.post("/login/code", data={"code": code}).location.endswith("/account/password")


def test_password_change_page_shows_every_error_at_once(client, login_as, make_org):
    login_as("controller_dpo", make_org())
    response = client.post(
        "/account/password",
        data={"current_password": "wrong", "new_password": "short", "confirm_password": "other"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in ("Mot de passe actuel incorrect", "au moins 12 caractères", "ne correspondent pas"):
        assert text in body


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client):
    response = client.get("/login", base_url="https://rgpd.example")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_session_cookie_is_httponly_and_samesite(client, make_org, make_user):
    user = make_user("controller_dpo", make_org())
    response = login(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_forms_without_csrf_token_are_refused(csrf_client, make_user):
    user = make_user("support")
    response = csrf_client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_ip(app, tmp_path):
    from rgpd_app import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "INSTANCE_PATH": str(tmp_path)})
    client = limited.test_client()
    statuses = [
        client.post("/login", data={"email": "x@y.fr", "password": "bad"}).status_code
        for _ in range(21)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:20]
    assert "Trop de tentatives" in client.post("/login", data={}).get_data(as_text=True)
    with limited.app_context():
        db.engine.dispose()


def test_login_and_failures_are_journaled_with_ip_and_agent(client, make_user):
    from rgpd_app.foundation.journal import JournalEntry

    user = make_user("support")
    login(client, user.email, "bad password")
    entry = db.session.scalars(db.select(JournalEntry).order_by(JournalEntry.id.desc())).first()
    assert entry.action == "login.failed" and entry.ip == "127.0.0.1"
    assert entry.user_agent == "pytest-client"


def test_the_enrolment_secret_never_travels_in_the_session_cookie(client, make_user):
    import base64
    import zlib

    user = make_user("support")
    login(client, user.email)
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    payload = client.get_cookie("session").value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    decoded = zlib.decompress(raw) if client.get_cookie("session").value.startswith(".") else raw
    assert secret.encode() not in decoded
    assert client.get("/login/enrol").get_data(as_text=True).count(secret) == 1  # same secret again


def test_the_tokens_page_sets_each_tokens_life_and_shows_its_end(client, login_as, make_org, clock):
    from datetime import timedelta

    from rgpd_app.accounts.models import ApiToken

    user = login_as("controller_dpo", make_org())
    page = client.get("/account/tokens").get_data(as_text=True)
    assert 'name="valid_days"' in page and 'value="90"' in page
    assert (
        client.post("/account/tokens", data={"label": "SIG", "valid_days": "30"}).status_code == 200
    )
    (row,) = db.session.scalars(db.select(ApiToken)).all()
    assert row.expires_at == clock() + timedelta(days=30)
    refused = client.post("/account/tokens", data={"label": "SIG", "valid_days": "366"})
    assert refused.status_code == 400 and "de 1 à 365 jours" in refused.get_data(as_text=True)
    clock.advance(days=31)
    login_as(user)  # the session itself expired meanwhile
    assert "expiré" in client.get("/account/tokens").get_data(as_text=True)
