"""A live server on a temporary SQLite database, and Chromium driven by Playwright."""

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# The browser's own download is impossible offline; without the background-networking flags
# Chromium keeps calling Google services and floods the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_numbers = count(1)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


def _siren(seed: int) -> str:
    from rgpd_app.organisations.rules import siren_is_valid

    base = f"{seed:08d}"
    return next(base + str(c) for c in range(10) if siren_is_valid(base + str(c)))


@dataclass
class LiveServer:
    app: object
    url: str

    def make_org(self, name: str, *, processor: bool = False):
        from rgpd_app.organisations import services

        n = next(_numbers)
        data = {
            "name": name,
            "siren": _siren(31000000 + n * 7),
            "departement": "35",
            "dpo_email": f"dpo{n}@commune.example",
        }
        with self.app.app_context():
            org = services.create_organisation(
                data, is_processor=processor, actor=None, now=datetime.now(UTC)
            )
            return org.id

    def make_user(self, role: str, org_id: int, *, name: str, password: str) -> str:
        """Create an account with one role; returns its e-mail (unique per call)."""
        from rgpd_app.accounts.users import services as management
        from rgpd_app.extensions import db
        from rgpd_app.organisations.models import Organisation

        email = f"{role.replace('_', '-')}.{next(_numbers)}@example.org"
        with self.app.app_context():
            management.create_user(
                email=email,
                name=name,
                organisation=db.session.get(Organisation, org_id),
                password=password,
                role=role,
                actor=None,
                now=datetime.now(UTC),
            )
        return email

    def count_users(self, **where) -> int:
        from sqlalchemy import func, select

        from rgpd_app.accounts.models import User
        from rgpd_app.extensions import db

        with self.app.app_context():
            stmt = select(func.count()).select_from(User).filter_by(**where)
            return db.session.scalar(stmt)


def _make_app(root: Path):
    from rgpd_app import create_app
    from rgpd_app.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'e2e.sqlite3'}",
            "INSTANCE_PATH": str(root / "instance"),
            "SECRET_KEY": "e2e-secret",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
    return app


@contextmanager
def _serve(app):
    """Serve `app` over HTTP from a daemon thread; yields its base URL."""
    from rgpd_app.extensions import db

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The real app (CSRF on, real clock for TOTP) served over HTTP from a daemon thread."""
    app = _make_app(tmp_path_factory.mktemp("e2e"))
    with _serve(app) as url:
        yield LiveServer(app=app, url=url)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM} (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test; relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def processor_id(live_server):
    """The one processor organisation (the app allows exactly one)."""
    return live_server.make_org("Logiciels Publics", processor=True)


@pytest.fixture
def log_in(page):
    """Fill and send the real login form; the caller checks where it lands."""

    def submit(email: str, password: str):
        page.goto("/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button:has-text('Se connecter')")

    return submit


DEMO_PASSWORD = "Grand-vent-sur-la-lande-2026"


@dataclass
class DemoServer:
    """The app loaded with `rgpd_app.demo`, served on its own database."""

    app: object
    url: str
    accounts: dict[str, str]  # e-mail → role
    totp_secrets: dict[str, str] = field(default_factory=dict)
    totp_steps: dict[str, int] = field(default_factory=dict)  # the last 30-s step each used
    changed_passwords: dict[str, str] = field(default_factory=dict)

    def password(self, email: str) -> str:
        assert email in self.accounts, f"{email} is not a demo account"
        return self.changed_passwords.get(email, DEMO_PASSWORD)

    def run(self, work):
        """Call `work()` inside the app context (services, queries) and return its result."""
        with self.app.app_context():
            return work()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    from rgpd_app.demo import load_demo

    app = _make_app(tmp_path_factory.mktemp("e2e-demo"))
    with app.app_context():
        created = load_demo(now=datetime.now(UTC), password_factory=lambda: DEMO_PASSWORD)
    with _serve(app) as url:
        yield DemoServer(app=app, url=url, accounts={email: role for email, role, _ in created})


@pytest.fixture
def case(demo_server):
    """`case(demo_cases.some_case)`: the demo's live case (see tests/e2e/demo_cases.py)."""
    return lambda find: demo_server.run(lambda: find(datetime.now(UTC)))


@pytest.fixture
def demo_page(browser, demo_server):
    context = browser.new_context(base_url=demo_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def journey(demo_page, tmp_path):
    """Steps on the demo server: screenshots under the test's tmp dir, axe-core on each page."""
    from tests.e2e.journey import Journey, axe_source

    axe_source()
    folder = tmp_path / "steps"
    folder.mkdir()
    return Journey(page=demo_page, folder=folder)
