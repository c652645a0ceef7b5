"""A journey through the pages of one role: a screenshot of each step and axe-core on each page.

axe-core comes from npm (`make e2e-deps` installs it under tests/e2e/node_modules, not committed).
"""

import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_source() -> Path:
    """The axe-core script; a missing install skips locally and fails under CI."""
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE}: run `make e2e-deps`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def blocking_violations(page: Page) -> list[dict]:
    """axe-core's violations (its default rules) of impact serious or critical on the page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # The CSP forbids inline scripts, so the script tag's text is run through evaluate.
        page.evaluate(axe_source().read_text(encoding="utf-8"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} élément(s))")
        for node in v["nodes"][:5]:
            lines.append(f"      {', '.join(node['target'])}: {node['failureSummary'][:200]}")
    return "\n".join(lines)


@dataclass
class Journey:
    """The steps of one test: `step(name)` screenshots the page and runs axe-core on it."""

    page: Page
    folder: Path
    steps: list[Path] = field(default_factory=list)

    def step(self, name: str) -> Path:
        self.page.wait_for_load_state("load")
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
        shot = self.folder / f"{len(self.steps) + 1:02d}-{slug}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        self.steps.append(shot)
        violations = blocking_violations(self.page)
        if violations:
            pytest.fail(
                f"axe-core: {len(violations)} règle(s) violée(s) (serious/critical) "
                f"à l'étape « {name} » ({self.page.url}), capture {shot}:\n" + describe(violations),
                pytrace=False,
            )
        return shot

    def visit(self, path: str, name: str, *, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == status, (path, response)
        self.step(name)


def log_in(journey: Journey, server, email: str) -> None:
    """The real login form, then the TOTP enrolment or code step when the role needs one."""
    page = journey.page
    page.goto("/login")
    journey.step("connexion")
    page.fill("#email", email)
    page.fill("#password", server.password(email))
    page.click("button:has-text('Se connecter')")
    page.wait_for_load_state("load")
    if page.url.endswith("/login/enrol"):
        journey.step("activer la double authentification")
        secret = page.locator("#totp-secret").inner_text().strip()
        server.totp_secrets[email] = secret
        server.totp_steps[email] = int(time.time() // 30)
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("button:has-text('Activer')")
    elif page.url.endswith("/login/code"):
        journey.step("code de double authentification")
        # A step after the last one this account used (a code is accepted once; the server
        # allows ±1 step): the next one, or, when that is spent too, wait until it is in reach.
        wanted = max(int(time.time() // 30) + 1, server.totp_steps.get(email, 0) + 1)
        time.sleep(max(0.0, (wanted - 1) * 30 - time.time() + 0.5))
        server.totp_steps[email] = wanted
        page.fill("#code", pyotp.TOTP(server.totp_secrets[email]).at(wanted * 30))
        page.click("button:has-text('Valider')")
    expect(page).to_have_url(f"{server.url}/dashboard")
    journey.step("tableau de bord")
