"""A pooled PostgreSQL connection that the server closed while it sat idle is replaced at its
checkout (extensions._drop_closed_connection), with no round trip and no failed page."""

import time

import psycopg
import pytest
from sqlalchemy import text

from rgpd_app.extensions import db
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(app, backend):
    if backend != "postgres":
        pytest.skip("psycopg's connections to PostgreSQL only")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    return app


@pytest.fixture
def routes(pg_app):
    """Test-only view: the backend serving this page's connection."""
    pg_app.add_url_rule(
        "/_test/backend",
        "test_backend",
        lambda: str(db.session.scalar(text("SELECT pg_backend_pid()"))),
    )


def terminate(pid: int) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.02)


def test_a_page_after_its_backend_was_terminated_is_served(pg_app, client, routes):
    first = int(client.get("/_test/backend").text)
    assert int(client.get("/_test/backend").text) == first  # the pooled connection is reused
    terminate(first)
    answer = client.get("/_test/backend")
    assert answer.status_code == 200 and int(answer.text) != first
    assert int(client.get("/_test/backend").text) == int(answer.text)


def test_every_pooled_connection_is_replaced_after_they_were_all_closed(pg_app, routes):
    # Three pages at once hold three connections; the server then ends all of them.
    with pg_app.app_context():
        engine = db.engine
        held = [engine.connect() for _ in range(3)]
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar() for c in held]
        for c in held:
            c.close()  # back into the pool, idle
        for pid in pids:
            terminate(pid)
        again = [engine.connect() for _ in range(3)]
        fresh = [c.execute(text("SELECT pg_backend_pid()")).scalar() for c in again]
        for c in again:
            c.close()
    assert not set(fresh) & set(pids)


def test_a_live_connection_is_checked_out_without_a_round_trip(pg_app, client, routes, monkeypatch):
    client.get("/_test/backend")
    sent = []
    original = psycopg.Cursor.execute

    def counted(cursor, query, *args, **kwargs):
        sent.append(str(query))
        return original(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    client.get("/_test/backend")
    assert sent == ["SELECT pg_backend_pid()"]  # no pre-ping (";") before it
