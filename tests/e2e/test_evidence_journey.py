"""The Montigny DPO builds the demo's evidence pack in the browser, downloads it and checks it
on the "verify a pack" page; the same pack passes our verifier. Then the DPO shares it with the
town's accepted audit, the named auditor downloads and reads, and the DPO sees those reads."""

import hashlib
import re

from playwright.sync_api import expect

from tests.e2e import demo_cases
from tests.e2e.journey import log_in

AUDITOR = "auditeur@cabinet-audit.example"


def test_the_town_dpo_builds_downloads_and_verifies_its_pack(journey, demo_server, tmp_path):
    from rgpd_app import clock
    from rgpd_app.evidence import services
    from rgpd_app.scheduler import drain_queues

    page = journey.page
    log_in(journey, demo_server, demo_cases.TOWN_DPO)
    journey.visit("/evidence/", "paquets de preuves")
    page.click("button:has-text('Constituer le paquet')")
    expect(page.locator("h1")).to_have_text("Paquet en préparation")
    password = page.locator("#pack-password").inner_text().strip()
    assert len(password) >= 20
    journey.step("mot de passe du paquet")
    page.click("text=Suivre la préparation")
    demo_server.run(drain_queues)  # the worker's round
    page.reload()
    expect(page.locator("#state")).to_contain_text("Prêt")
    sha256 = page.locator("#sha256").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha256)
    journey.step("paquet prêt")
    with page.expect_download() as info:
        page.click("#download")
    pack = tmp_path / "paquet.zip"
    info.value.save_as(pack)
    assert demo_server.run(lambda: services.verify(pack, password, now=clock.now())) == []

    journey.visit("/evidence/verify", "vérifier un paquet")
    page.set_input_files("#pack", str(pack))
    page.fill("#password", password)
    page.click("button:has-text('Vérifier')")
    expect(page.locator("main")).to_contain_text("intègre")
    journey.step("paquet vérifié")

    # The processor accepts the town's audit: its named auditor (the demo's Nora Audit) reads
    # from today. The DPO shares the pack with the audit; the auditor downloads it.
    from rgpd_app.audits import decisions
    from rgpd_app.demo.cases import PROCESSOR_DPO, actor

    audit_id = demo_server.run(lambda: demo_cases.audit_of_the_town(clock.now()))
    demo_server.run(
        lambda: decisions.accept(audit_id, actor=actor(PROCESSOR_DPO, clock.now()), now=clock.now())
    )
    journey.visit(f"/audits/{audit_id}", "audit accepté")
    expect(page.locator("#auditor-window")).to_contain_text("Les auditeurs nommés lisent")
    page.click("button:has-text('Partager avec les auditeurs')")
    expect(page.locator("#shared-packs")).to_contain_text(sha256)
    journey.step("paquet partagé avec l'auditeur")

    page.context.clear_cookies()
    log_in(journey, demo_server, AUDITOR)
    journey.visit(f"/audits/{audit_id}", "audit vu par l'auditeur")
    with page.expect_download() as info:
        page.click("#shared-packs a")
    received = tmp_path / "recu.zip"
    info.value.save_as(received)
    assert hashlib.sha256(received.read_bytes()).hexdigest() == sha256
    assert demo_server.run(lambda: services.verify(received, password, now=clock.now())) == []
    journey.visit("/register/", "registre lu par l'auditeur")

    page.context.clear_cookies()
    log_in(journey, demo_server, demo_cases.TOWN_DPO)
    journey.visit(f"/audits/{audit_id}", "ce que l'auditeur a lu")
    reads = page.locator("#auditor-reads")
    expect(reads).to_contain_text(AUDITOR)
    expect(reads).to_contain_text("Paquet de preuves téléchargé")
    expect(reads).to_contain_text("/register/")
    journey.step("consultations de l'auditeur")
