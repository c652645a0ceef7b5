"""A municipality's DPO: what it may open, what it is refused, and a form sent with errors."""

import pytest
from playwright.sync_api import expect

PASSWORD = "Vaste-plaine-sous-la-neige-42"


@pytest.fixture
def controller_dpo(live_server, processor_id, log_in):
    """A controller DPO of Fougères, logged in through the form; also a DPO of Redon."""
    own = live_server.make_org("Commune de Fougères")
    other = live_server.make_org("Commune de Redon")
    stranger = live_server.make_user("controller_dpo", other, name="Luc Redon", password=PASSWORD)
    email = live_server.make_user("controller_dpo", own, name="Marie Fougères", password=PASSWORD)
    log_in(email, PASSWORD)
    return {"email": email, "own": own, "other": other, "stranger": stranger}


def test_controller_dpo_logs_in_without_two_factor_and_reads_its_journal(
    page, live_server, controller_dpo
):
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.locator(".lead .roles")).to_have_text("DPO de la collectivité")
    expect(page.locator("main")).to_contain_text("Marie Fougères — Commune de Fougères")

    response = page.goto("/journal/")

    assert response.status == 200
    expect(page.get_by_role("heading", name="Journal des accès et opérations")).to_be_visible()
    rows = page.locator("table tbody tr")
    own_login = rows.filter(has_text="Connexion").filter(has_text=controller_dpo["email"])
    expect(own_login).to_have_count(1)
    expect(rows.filter(has_text="Organisation créée")).to_have_count(1)
    for row in rows.all():  # the organisation column names its own municipality only
        assert row.locator("td").nth(2).inner_text() == "Commune de Fougères"
    expect(page.locator("table")).not_to_contain_text(controller_dpo["stranger"])


def test_controller_dpo_may_open_the_account_form(page, controller_dpo):
    response = page.goto("/users/new")

    assert response.status == 200
    expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    # Only its own municipality to choose from (after the empty "— choisir —" placeholder).
    options = page.locator("#organisation_id option:not([value=''])")
    expect(options).to_have_text(["Commune de Fougères"])


def test_controller_dpo_is_refused_creating_an_organisation(page, controller_dpo):
    response = page.goto("/organisations/new")

    assert response.status == 403
    expect(page.get_by_role("heading", name="Erreur 403")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Accès refusé.")
    expect(page.locator("form input#siren")).to_have_count(0)


def test_another_municipality_is_not_found_rather_than_forbidden(page, controller_dpo):
    response = page.goto(f"/organisations/{controller_dpo['other']}")

    assert response.status == 404
    expect(page.get_by_role("heading", name="Erreur 404")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Commune de Redon")

    response = page.goto(f"/organisations/{controller_dpo['own']}")
    assert response.status == 200
    expect(page.get_by_role("heading", name="Commune de Fougères")).to_be_visible()


def _send_account_form_with_two_errors(page):
    page.goto("/users/new")
    page.fill("#email", "pas-une-adresse")
    page.fill("#name", "Jeanne Brûlé")
    page.fill("#password", "abcde")
    page.select_option("#role", "instructor")
    page.click("button:has-text('Créer')")


def test_account_form_with_errors_marks_the_field_and_creates_nothing(
    page, live_server, controller_dpo
):
    _send_account_form_with_two_errors(page)

    expect(page).to_have_url(f"{live_server.url}/users/new")
    expect(page.locator("#form-errors")).to_contain_text("Adresse e-mail invalide.")
    expect(page.locator("#email-error")).to_have_text("Adresse e-mail invalide.")
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email")).to_have_value("pas-une-adresse")
    expect(page.locator("#name")).to_have_value("Jeanne Brûlé")
    assert live_server.count_users(name="Jeanne Brûlé") == 0
    page.goto("/users/")
    expect(page.locator("table")).not_to_contain_text("Jeanne Brûlé")


def test_account_form_shows_every_error_at_once(page, controller_dpo):
    _send_account_form_with_two_errors(page)

    expect(page.locator("#email-error")).to_have_text("Adresse e-mail invalide.")
    expect(page.locator("#password-error")).to_contain_text("au moins 12 caractères", timeout=2000)
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")


def test_too_short_password_alone_is_shown_next_to_its_field(page, live_server, controller_dpo):
    page.goto("/users/new")
    page.fill("#email", "jeanne.brule@commune.example")
    page.fill("#name", "Jeanne Brûlé")
    page.fill("#password", "abcde")
    page.select_option("#role", "instructor")
    page.click("button:has-text('Créer')")

    expect(page.locator("#password-error")).to_contain_text("au moins 12 caractères")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_have_count(0)
    assert live_server.count_users(email="jeanne.brule@commune.example") == 0


def test_account_form_lists_no_other_municipality(page, controller_dpo):
    page.goto("/users/new")

    expect(page.locator("#controller_id")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Commune de Redon", timeout=2000)
