"""A real OpenID provider for the sign-in tests: npm `oidc-provider` started from
tests/oidc_provider/provider.mjs on a free loopback port (`make e2e-deps` installs it)."""

import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "rgpd-app"
CLIENT_SECRET = "secret-du-client-de-test-rgpd-app-0123456789"
OTHER_CLIENT_ID = "autre-service"
BASE_URL = "http://127.0.0.1:5000"  # the app's RGPD_BASE_URL in the web tests


@dataclass
class OpenIdProvider:
    issuer: str
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    def add_account(self, sub: str, *, acr=None, amr=None, **claims) -> str:
        """An account at the provider, signed in with the login `sub`."""
        account = {"claims": claims, "acr": acr, "amr": amr}
        requests.post(f"{self.issuer}/__test/accounts", json={sub: account}, timeout=5)
        return sub

    def fault(self, **id_token_claims) -> None:
        """The next token answer carries an ID token with these claims, signed again."""
        requests.post(f"{self.issuer}/__test/faults", json={"id_token": id_token_claims}, timeout=5)

    def sign_in(self, authorization_url: str, login: str, *, stop_at: str = BASE_URL) -> str:
        """Go through the provider's login page as `login`; the URL it sends the browser back
        to (under `stop_at`), not followed."""
        browser = requests.Session()
        url, data = authorization_url, None
        for _ in range(12):
            if url.startswith(stop_at):
                return url
            answer = browser.request(
                "POST" if data else "GET", url, data=data, allow_redirects=False, timeout=10
            )
            if answer.is_redirect:
                url, data = urljoin(url, answer.headers["Location"]), None
                continue
            assert answer.status_code == 200, answer.text
            assert "/interaction/" in url, answer.text
            url, data = url.rstrip("/") + "/login", {"login": login}
        raise AssertionError(f"the provider never sent the browser back: {url}")


def provider_config(redirect_uris, post_logout_uris, *, id_token_ttl=60) -> dict:
    client = {
        "client_secret": CLIENT_SECRET,
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": post_logout_uris,
    }
    return {
        "port": 0,
        "id_token_ttl": id_token_ttl,
        "clients": [
            {"client_id": CLIENT_ID, **client},
            {"client_id": OTHER_CLIENT_ID, **client},
        ],
        "accounts": {},
    }


def start_provider(tmp_path: Path, config: dict) -> OpenIdProvider:
    if not shutil.which("node"):
        pytest.skip("the OpenID provider tests need Node.js (Debian package 'nodejs')")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("npm oidc-provider is not installed: run `make e2e-deps`")
    config_file = tmp_path / "provider.json"
    config_file.write_text(json.dumps(config))
    log = tmp_path / "provider.log"
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), str(config_file)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    line = process.stdout.readline()
    if not line.startswith("listening "):
        process.kill()
        raise AssertionError(f"the OpenID provider did not start: {line!r}, see {log}")
    issuer = f"http://127.0.0.1:{int(line.split()[1])}"
    for _ in range(50):
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return OpenIdProvider(issuer=issuer, process=process)


def stop_provider(provider: OpenIdProvider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        provider.process.kill()
    provider.process.stdout.close()


@pytest.fixture(scope="session")
def openid_provider(tmp_path_factory):
    """One provider for the session, its clients sending the browser back to BASE_URL."""
    provider = start_provider(
        tmp_path_factory.mktemp("oidc"),
        provider_config([f"{BASE_URL}/login/oidc/callback"], [f"{BASE_URL}/login"]),
    )
    yield provider
    stop_provider(provider)


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
