"""Shared fixtures: the app on SQLite and PostgreSQL, a settable clock, factories, login_as."""

import contextvars
import os
from datetime import UTC, datetime, timedelta
from itertools import count

import argon2
import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from rgpd_app.accounts import passwords, tokens
from rgpd_app.accounts.users import services as management

POSTGRES_ADMIN_URL = os.environ.get(
    "RGPD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
PG_DB = f"rgpd_test_{os.getpid()}"  # one database per test process: parallel runs never collide

# Argon2's real cost would dominate the suite; tests use the cheapest profile, the app the default.
passwords._hasher = argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
passwords._DUMMY_HASH = passwords._hasher.hash("dummy")

pytest_plugins = [  # shared domain fixtures
    "tests.audit_support",
    "tests.instructions_support",
    "tests.oidc_support",
    "tests.requests_support",
    "tests.subprocessor_support",
]

PASSWORD = "Vaste-plaine-sous-la-neige-42"
USER_AGENT = "pytest-client"


def _postgres_url() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=2, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except psycopg.Error:
        return None
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{PG_DB}"


_PG_URL = _postgres_url()


def pytest_sessionfinish(session, exitstatus):
    if _PG_URL:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def pytest_report_header(config):
    if _PG_URL:
        return f"PostgreSQL: tests run on SQLite and on {_PG_URL}"
    return "PostgreSQL: NOT REACHABLE — PostgreSQL variants of the tests are SKIPPED"


class Clock:
    """A settable clock for the app (app.config['NOW'])."""

    def __init__(self):
        self.value = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.value

    def set(self, value: datetime):
        self.value = value

    def advance(self, **kwargs):
        self.value += timedelta(**kwargs)


@pytest.fixture
def clock():
    return Clock()


_pg_tables_created = False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request):
    if request.param == "postgres" and not _PG_URL:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    return request.param


@pytest.fixture
def app(backend, tmp_path, clock):
    from rgpd_app import create_app
    from rgpd_app.extensions import db

    url = f"sqlite:///{tmp_path / 'test.sqlite3'}" if backend == "sqlite" else _PG_URL
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            # The weekly journal anchors would add an e-mail per municipality to every test that
            # counts messages after a week of ticks: their own tests turn them on.
            "JOURNAL_ANCHOR_DAYS": 0,
            "NOW": clock,
            "SECRET_KEY": "test-secret",
        }
    )
    with app.app_context():
        if backend == "postgres":
            db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        if backend == "postgres":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request runs as in production, even though the test holds an app context open to use
    the database: in an empty context, so the request pushes (and tears down) its own app context
    — fresh `g`, its own DB session removed after the view — and a streamed body is read there,
    after that teardown, as a WSGI server would."""

    def open(self, *args, **kwargs):
        if self.preserve_context:  # `with client:` keeps the request's context for the test
            return super().open(*args, **kwargs)
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_sirens = count(1)


def valid_siren(seed: int) -> str:
    base = f"{seed:08d}"
    for check in range(10):
        candidate = base + str(check)
        from rgpd_app.organisations.rules import siren_is_valid

        if siren_is_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


@pytest.fixture
def make_org(app, clock):
    from rgpd_app.organisations import services

    def make(name=None, *, departement="35", processor=False, **extra):
        n = next(_sirens)
        data = {
            "name": name or f"Commune {n}",
            "siren": valid_siren(21000000 + n * 7),
            "departement": departement,
            "dpo_email": f"dpo{n}@commune.example",
            **extra,
        }
        return services.create_organisation(data, is_processor=processor, actor=None, now=clock())

    return make


@pytest.fixture
def processor(make_org):
    return make_org("Logiciels Publics", processor=True)


@pytest.fixture
def make_user(app, clock, processor):
    from rgpd_app.foundation.roles import PROCESSOR_ROLES

    def make(role, org=None, *, email=None, totp=False, **grant):
        org = org if org is not None else (processor if role in PROCESSOR_ROLES else None)
        assert org is not None, "controller roles need an organisation"
        email = email or f"{role}.{next(_sirens)}@example.org"
        user = management.create_user(
            email=email,
            name=f"Test {role}",
            organisation=org,
            password=PASSWORD,
            role=role,
            actor=None,
            now=clock(),
            **grant,
        )
        if totp:
            import pyotp

            from rgpd_app.extensions import db

            user.totp_secret = pyotp.random_base32()
            user.totp_enabled_at = clock()
            db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(app, client, make_user):
    """Put a user's session on the test client without going through the login form."""
    from flask_login import login_manager as _lm  # noqa: F401

    from rgpd_app.extensions import login_manager

    def login(user_or_role, org=None, **grant):
        user = (
            make_user(user_or_role, org, **grant) if isinstance(user_or_role, str) else user_or_role
        )
        with app.test_request_context(
            environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": USER_AGENT}
        ):
            ident = login_manager._session_identifier_generator()
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["_id"] = ident
            sess["seen"] = sess["started"] = app.config["NOW"]().timestamp()  # as a sign-in does
            sess["confirmed_at"] = sess["seen"]  # a sign-in confirms the identity (reauth.py)
        return user

    return login


@pytest.fixture
def api(app, client, clock):
    """Call the JSON API as a user: api(user).get('/api/v1/me')."""

    class Caller:
        def __init__(self, user):
            self.headers = {
                "Authorization": "Bearer "
                + tokens.create_token(user, label="test", actor=None, now=clock())
            }

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = self.headers | kwargs.pop("headers", {})
                return getattr(client, method)(path, headers=headers, **kwargs)

            return call

    return Caller
