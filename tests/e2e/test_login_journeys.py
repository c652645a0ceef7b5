"""Logging in through the real forms: two-factor enrolment, the TOTP step, the generic error."""

import time

import pyotp
from playwright.sync_api import expect

PASSWORD = "Vaste-plaine-sous-la-neige-42"
GENERIC_ERROR = "Identifiant ou mot de passe incorrect, ou compte temporairement verrouillé."


def test_login_page_sends_a_csp_and_logs_no_console_error(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    response = page.goto("/login")

    assert response.status == 200
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.wait_for_load_state("networkidle")
    assert errors == []


def test_processor_dpo_enrols_two_factor_then_logs_in_with_a_fresh_code(
    page, live_server, processor_id, log_in, tmp_path
):
    email = live_server.make_user(
        "processor_dpo", processor_id, name="Claire Dupont", password=PASSWORD
    )

    log_in(email, PASSWORD)

    # A processor role without two-factor authentication must enrol before going further.
    expect(page).to_have_url(f"{live_server.url}/login/enrol")
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert len(secret) >= 16
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Activer')")

    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", name="Mon travail")).to_be_visible()
    expect(page.locator(".lead .roles")).to_have_text("DPO du sous-traitant")
    expect(page.locator("header .me")).to_contain_text("Claire Dupont")
    expect(page.locator("nav.main summary", has_text="Journal")).to_be_visible()
    shot = tmp_path / "artifacts" / "dashboard.png"
    shot.parent.mkdir()
    page.screenshot(path=str(shot), full_page=True)
    print(f"\ndashboard screenshot: {shot}")

    page.click("button:has-text('Se déconnecter')")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator(".flash.info")).to_have_text("Vous êtes déconnecté.")

    log_in(email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/login/code")
    # The enrolment code's 30-s step is now used: the server refuses it again as a replay.
    # The code of the next step is accepted at once, as the server allows ±1 step of drift,
    # so the test needs no 30-s sleep.
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("button:has-text('Valider')")

    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.locator(".lead .roles")).to_have_text("DPO du sous-traitant")
    expect(page.get_by_role("link", name="Activer la double authentification")).to_have_count(0)


def test_replayed_totp_code_is_refused(page, live_server, processor_id, log_in):
    email = live_server.make_user(
        "processor_dpo", processor_id, name="Paul Martin", password=PASSWORD
    )
    log_in(email, PASSWORD)
    secret = page.locator("#totp-secret").inner_text().strip()
    code = pyotp.TOTP(secret).now()
    page.fill("#code", code)
    page.click("button:has-text('Activer')")
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    page.click("button:has-text('Se déconnecter')")

    log_in(email, PASSWORD)
    page.fill("#code", code)
    page.click("button:has-text('Valider')")

    expect(page).to_have_url(f"{live_server.url}/login/code")
    expect(page.locator("#code-error")).to_have_text("Code incorrect ou déjà utilisé.")


def test_wrong_password_and_unknown_email_show_the_same_generic_error(
    page, live_server, processor_id, log_in
):
    org = live_server.make_org("Commune de Vitré")
    email = live_server.make_user("controller_dpo", org, name="Anne Roux", password=PASSWORD)

    log_in(email, "Pas-le-bon-mot-de-passe-7")
    expect(page).to_have_url(f"{live_server.url}/login")
    wrong_password = page.locator("#form-errors").inner_text()
    expect(page.locator("#email")).to_have_value(email)

    log_in("personne.inconnue@example.org", "Pas-le-bon-mot-de-passe-7")
    unknown_email = page.locator("#form-errors").inner_text()

    assert GENERIC_ERROR in wrong_password
    assert unknown_email == wrong_password
    expect(page.get_by_role("heading", name="Mon travail")).to_have_count(0)
