"""ASVS 5.0 L2 checks on sessions and responses: the absolute session lifetime (V7.3.2), no
caching of authenticated pages (V14.3.2), the client address behind trusted proxies only
(V16 / V4: logs and rate limits name the real client, a client cannot forge it)."""

import uuid

import pytest
from sqlalchemy import select

from rgpd_app import create_app
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from tests.web.test_auth_web import login


def test_v7_3_2_activity_never_keeps_a_session_past_its_absolute_lifetime(
    client, make_org, make_user, clock, app
):
    app.config["SESSION_MAX_HOURS"] = 12
    user = make_user("controller_dpo", make_org())
    login(client, user.email)
    for _ in range(35):  # active every 20 minutes for 11 h 40
        clock.advance(minutes=20)
        assert client.get("/dashboard").status_code == 200
    clock.advance(minutes=21)  # 12 h 01 after the sign-in, 21 minutes after the last request
    response = client.get("/dashboard")
    assert response.status_code == 302 and "expired=1" in response.location
    assert client.get("/dashboard").status_code == 302  # the session is gone, not just paused


def test_v14_3_2_every_authenticated_page_is_no_store_and_static_files_stay_cacheable(
    client, login_as, make_org
):
    login_as("processor_dpo")
    for url in ("/dashboard", "/register/", "/breaches/", "/requests/", "/echeances/",
                "/deadlines/", "/exports"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "")


def test_v14_3_2_an_anonymous_login_page_may_be_cached_but_not_after_sign_in(client):
    assert client.get("/login").headers.get("Cache-Control") != "no-store"


@pytest.fixture
def proxied(tmp_path):
    def make(hops: int):
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p{hops}.db",
                          "INSTANCE_PATH": str(tmp_path / f"i{hops}"),
                          "TRUSTED_PROXIES": hops})  # fmt: skip
        with app.app_context():
            db.create_all()
        return app

    return make


def _recorded_ip(app) -> str:
    client = app.test_client()
    client.post(
        "/login",
        data={"email": "personne@example.org", "password": "pas-le-bon-mot-de-passe"},
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    with app.app_context():
        entry = db.session.scalars(select(JournalEntry).order_by(JournalEntry.id.desc())).first()
        return entry.ip if entry is not None else ""


def test_trusted_proxy_gives_the_client_address_to_the_journal(proxied):
    assert _recorded_ip(proxied(1)) == "203.0.113.7"


def test_without_trusted_proxies_a_forwarded_header_is_ignored(proxied):
    assert _recorded_ip(proxied(0)) == "10.0.0.2"


def test_the_rate_limits_can_be_kept_in_redis(tmp_path):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"rgpd-test-{uuid.uuid4().hex}"  # counters of earlier runs stay apart
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/r.db",
                      "INSTANCE_PATH": str(tmp_path / "i"), "RATELIMIT_LOGIN": "3 per minute",
                      "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_ENABLED": True,
                      "RATELIMIT_KEY_PREFIX": prefix})  # fmt: skip
    with app.app_context():
        db.create_all()
    statuses = []
    for _ in range(5):
        client = app.test_client()  # a new client each time: the count is in Redis
        statuses.append(client.post("/login", data={"email": "x@example.org",
                                                    "password": "y"}).status_code)  # fmt: skip
    assert statuses.count(429) == 2, statuses
    keys = redis.Redis.from_url("redis://127.0.0.1:6379").keys(f"*{prefix}*")
    assert keys, "no rate-limit counter in Redis"
