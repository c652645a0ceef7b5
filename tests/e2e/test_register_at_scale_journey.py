"""The processor DPO finds a municipality by typing part of its name (the server matches it;
the script only suggests), sorts the register, and copies a standard processing to a whole
département — in the browser, axe-core on each page."""

import re

from playwright.sync_api import expect

from tests.e2e import demo_cases
from tests.e2e.journey import log_in


def test_processor_dpo_types_a_municipality_sorts_and_copies(journey, demo_server):
    log_in(journey, demo_server, demo_cases.PROCESSOR_DPO)
    page = journey.page
    journey.visit("/register/", "registre")
    expect(page.locator("select#controller_id")).to_have_count(0)  # no list of every town

    page.fill("#controller", "colm")
    # The suggestions come from the server as one types (progressive enhancement).
    expect(page.locator("#controller-list option")).to_have_count(1)
    expect(page.locator("#controller-list option").first).to_have_attribute(
        "value", re.compile(r"^Commune de Colmar \(\d{9}\)$")
    )
    page.click("form.filters button[type=submit]")
    expect(page.locator("#controller")).to_have_value(re.compile(r"^Commune de Colmar \("))
    rows = page.locator("table tbody tr td:first-child")
    expect(rows.first).to_have_text("Commune de Colmar")
    journey.step("registre filtré sur une collectivité tapée")

    page.click("a.sort:has-text('Traitement')")
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(page.locator("th[aria-sort='ascending']")).to_have_count(1)
    page.click("a.sort:has-text('Traitement')")
    expect(page.locator("th[aria-sort='descending']")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"controller=colm"))  # the filter stays in the URL
    journey.step("registre trié")

    page.fill("#controller", "commune de")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#controller-error")).to_contain_text("Plusieurs collectivités")
    journey.step("collectivité ambiguë")
    page.click(".candidates a:has-text('Commune de Montigny-lès-Metz')")  # one of those offered
    expect(rows.first).to_have_text("Commune de Montigny-lès-Metz")

    journey.visit("/register/", "registre")  # the first entries: Cesson-Sévigné's (35)
    page.locator("table tbody a[href^='/register/']").first.click()
    page.click('a:has-text("Copier vers d\'autres collectivités")')
    journey.step("copier vers d'autres collectivités")
    page.fill("#departements", "57, 68")
    page.click("button:has-text('Copier')")
    expect(page.locator(".flash").first).to_contain_text("2 copie(s) créée(s)")
    journey.step("copie faite")
