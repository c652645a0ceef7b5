"""Health, readiness and metrics: unauthenticated probes without a session, metrics behind a
bearer token, and the facts they report (issue 19)."""

import os

import pytest
from sqlalchemy import text

from rgpd_app.extensions import db
from tests.operations_support import stamped_at_head


@pytest.fixture
def stamped(app):
    with stamped_at_head() as head:
        yield head


def test_healthz_answers_without_a_session_or_the_database(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_migrated_and_the_storage_is_writable(app, client, stamped):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "storage": "ok"},
    }
    assert "Set-Cookie" not in response.headers
    assert not [p for p in os.listdir(app.config["STORAGE_ROOT"]) if p.startswith(".ready")]


def test_readyz_names_a_database_not_migrated(app, client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"].startswith("not stamped")
    assert response.get_json()["checks"]["database"] == "ok"


def test_readyz_names_a_database_behind_the_head(app, client, stamped):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'a1b2c3d4e5f6'"))
    body = client.get("/readyz").get_json()
    assert body["status"] == "fail"
    assert body["checks"]["migrations"] == (
        f"at a1b2c3d4e5f6, head is {stamped}: run flask db upgrade"
    )


def test_readyz_names_a_storage_root_that_is_not_writable(app, client, stamped, tmp_path):
    locked = tmp_path / "read-only"
    locked.mkdir(mode=0o500)
    app.config["STORAGE_ROOT"] = str(locked / "storage")
    if os.geteuid() == 0:  # root writes anywhere: a file where the folder should be fails too
        app.config["STORAGE_ROOT"] = str(tmp_path / "a-file")
        (tmp_path / "a-file").write_text("")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"].startswith("not writable")


def test_readyz_names_a_database_that_does_not_answer(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def refused(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(db.engine, "connect", refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": "unreachable: ConnectionRefusedError",
        "migrations": "unknown: database unreachable",
        "storage": "ok",
    }


def test_metrics_do_not_exist_without_a_token(app, client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", headers=wrong).status_code == 401


def test_metrics_report_requests_and_the_database_facts(app, client, clock, make_org, stamped):
    from rgpd_app.notifications.models import OutboxMessage

    app.config["METRICS_TOKEN"] = "s3cret-scrape-token"
    org = make_org()
    db.session.add(
        OutboxMessage(
            message_id="m-1@test", channel="email", recipient="dpo@commune.example",
            organisation_id=org.id, template="test", subject="Sujet", state="pending",
            next_attempt_at=clock(), created_at=clock(),
        )
    )  # fmt: skip
    db.session.commit()
    client.get("/healthz")
    clock.advance(minutes=5)
    body = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"}).get_data(
        as_text=True
    )
    assert (
        'rgpd_http_requests_total{endpoint="operations.healthz",method="GET",status="200"}' in body
    )
    assert "rgpd_http_request_duration_seconds_bucket" in body
    assert "rgpd_database_up 1.0" in body
    assert 'rgpd_ready_check{check="migrations"} 1.0' in body
    assert 'rgpd_outbox_messages{state="pending"} 1.0' in body
    assert 'rgpd_outbox_messages{state="sent"} 0.0' in body
    assert "rgpd_outbox_oldest_pending_age_seconds 300.0" in body
    assert 'rgpd_exports{state="queued"} 0.0' in body
    assert "dpo@commune.example" not in body and org.name not in body
