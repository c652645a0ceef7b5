"""One journey per role on the demo data: log in through the form, reach the dashboard, open the
pages of the role's work and do one thing of that role; a screenshot of every step and axe-core
on every page (`journey.step`, which fails on a serious or critical violation)."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.e2e import demo_cases
from tests.e2e.journey import log_in


def test_municipality_dpo_objects_to_a_subprocessor_change(journey, demo_server, case):
    notice_id, recipient_id = case(demo_cases.subprocessor_notice_in_window)
    log_in(journey, demo_server, demo_cases.TOWN_DPO)
    page = journey.page
    expect(page.locator(".lead .roles")).to_have_text("DPO de la collectivité")
    journey.visit("/register/", "registre")
    journey.visit("/subprocessors/notices/", "notifications de sous-traitance")
    journey.visit(f"/subprocessors/notices/{notice_id}/recipients/{recipient_id}", "notification")

    page.fill("#reason", "Hébergeur sans certification HDS pour nos données d'état civil.")
    page.click("button:has-text('Formuler une objection')")

    expect(page.locator(".flash").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Hébergeur sans certification HDS")
    journey.step("objection enregistrée")


def test_instructor_gives_a_written_instruction(journey, demo_server):
    log_in(journey, demo_server, demo_cases.INSTRUCTOR)
    page = journey.page
    expect(page.locator(".lead .roles")).to_have_text("Donneur d'instructions habilité")
    journey.visit("/instructions/", "instructions")
    journey.visit("/instructions/in-force", "instructions en vigueur")
    journey.visit("/instructions/new", "nouvelle instruction")

    page.fill("#subject", "Durée de conservation des demandes d'actes")
    page.fill("#text", "Supprimer les demandes d'actes d'état civil au-delà de deux ans.")
    page.fill("#effective_on", datetime.now(UTC).date().isoformat())
    page.locator("#activity_ids option").first.click()
    page.click("button:has-text('Enregistrer et transmettre')")

    expect(page.locator(".flash").first).to_contain_text("est enregistrée et transmise")
    expect(page.locator("main")).to_contain_text("Durée de conservation des demandes d'actes")
    journey.step("instruction transmise")


def test_processor_dpo_opens_an_assistance_request_and_the_audit(journey, demo_server, case):
    request_id = case(demo_cases.assistance_request)
    audit_id = case(demo_cases.audit_of_the_town)
    log_in(journey, demo_server, demo_cases.PROCESSOR_DPO)
    expect(journey.page.locator(".lead .roles")).to_have_text("DPO du sous-traitant")
    journey.visit("/register/", "registre")
    journey.visit("/subprocessors/", "sous-traitants ultérieurs")
    journey.visit("/requests/", "demandes de personnes")
    journey.visit(f"/requests/{request_id}", "demande avec assistance")
    expect(journey.page.locator("main")).to_contain_text(demo_cases.ASSISTANCE_QUESTION)
    journey.visit("/audits/", "audits")
    journey.visit(f"/audits/{audit_id}", "audit annoncé")


def test_security_officer_opens_the_breach_and_its_notices(journey, demo_server, case):
    breach_id = case(demo_cases.breach_of_the_town)
    log_in(journey, demo_server, demo_cases.SECURITY_OFFICER)
    page = journey.page
    journey.visit("/breaches/", "violations")
    journey.visit(f"/breaches/{breach_id}", "violation")
    expect(page.locator("main")).to_contain_text(demo_cases.TOWN)

    page.locator("main a[href^='/breaches/notices/']").first.click()
    expect(page).to_have_url(re.compile(r"/breaches/notices/\d+$"))
    journey.step("notification de la violation")
    journey.visit("/breaches/register", "registre des violations")


def test_support_opens_deposits_and_requests(journey, demo_server, case):
    case(demo_cases.assistance_request)
    log_in(journey, demo_server, demo_cases.SUPPORT)
    journey.visit("/deposits/", "dépôts de fichiers")
    journey.visit("/deposits/receive", "recevoir un dépôt")
    journey.visit("/deposits/interventions/", "interventions")
    journey.visit("/requests/", "demandes de personnes")


def test_administrator_opens_accounts_and_outgoing_messages(journey, demo_server, case):
    # The outside-EU notice, whatever its state once other journeys have answered: its e-mails
    # are in the outbox.
    case(demo_cases.outside_eu_notice)
    log_in(journey, demo_server, "admin@logiciels-publics.example")
    page = journey.page
    journey.visit("/organisations/", "organisations")
    journey.visit("/users/", "comptes")
    page.locator("main table a", has_text=demo_cases.TOWN_DPO).click()
    expect(page.locator("main")).to_contain_text("Paul Lefèvre")
    journey.step("compte d'un DPO")
    journey.visit("/account/tokens", "jetons d'API")
    journey.visit("/notifications/", "messages sortants")
    expect(page.locator("main table tbody tr").first).to_be_visible()


def test_auditor_reads_the_audit_and_the_register(journey, demo_server, case):
    audit_id = case(demo_cases.audit_of_the_town)
    log_in(journey, demo_server, "auditeur@cabinet-audit.example")
    expect(journey.page.locator(".lead .roles")).to_have_text("Auditeur")
    journey.visit("/audits/", "audits")
    journey.visit(f"/audits/{audit_id}", "audit")
    expect(journey.page.locator("main")).to_contain_text("Gestion des accès")
    journey.visit("/register/", "registre")
    journey.visit("/breaches/", "violations")


def test_axe_check_reports_an_unlabelled_field_and_a_missing_alt(demo_page):
    """The check is not vacuous: a page with two known serious/critical faults fails it."""
    from tests.e2e.journey import axe_source, blocking_violations

    axe_source()
    demo_page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main>'
        '<img src="data:,"><input type="text"></main></body></html>'
    )

    found = {v["id"] for v in blocking_violations(demo_page)}

    assert {"image-alt", "label"} <= found
