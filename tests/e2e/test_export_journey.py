"""A municipality's DPO asks for a long PDF of its register: the page follows the worker's
progress by itself and then offers the file, which is the register, numbered page by page."""

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

PASSWORD = "Vaste-plaine-sous-la-neige-42"
NAMES = ["Cantine scolaire", "État civil", "Listes électorales"]


def test_a_long_pdf_export_is_followed_then_downloaded(page, live_server, processor_id, log_in):
    from rgpd_app.extensions import db
    from rgpd_app.foundation.actor import actor_for
    from rgpd_app.organisations.models import Organisation
    from rgpd_app.register import services
    from rgpd_app.scheduler import drain_queues

    town = live_server.make_org("Commune de Vitré")
    keeper = live_server.make_user("processor_dpo", processor_id, name="P", password=PASSWORD)
    email = live_server.make_user("controller_dpo", town, name="Anne Vitré", password=PASSWORD)
    app = live_server.app
    with app.app_context():
        from rgpd_app.accounts.models import User

        user = db.session.scalar(db.select(User).where(User.email == keeper))
        actor = actor_for(user, datetime.now(UTC))
        for name in NAMES:
            data = {"controller_id": town, "name": name, "purposes": [{"label": "Servir"}]}
            services.create_activity(data, actor=actor, now=datetime.now(UTC))
        town_name = db.session.get(Organisation, town).name
    limits = app.config["EXPORT_INLINE_MAX_ROWS"]
    app.config["EXPORT_INLINE_MAX_ROWS"] = {**limits, "pdf": 1}
    try:
        log_in(email, PASSWORD)
        page.goto("/register/")
        page.get_by_text("Exporter").click()
        page.locator("li", has_text="Registre art. 30(1)").get_by_role("link", name="PDF").click()
        # A link does not queue a job: the page asks to confirm (a POST).
        confirm = page.get_by_role("heading", name="Préparer l'export en arrière-plan")
        expect(confirm).to_be_visible()
        page.get_by_role("button", name="Lancer la préparation").click()

        expect(page.locator("#state")).to_have_text("En attente")
        expect(page.locator("#progress")).to_be_visible()
        with app.app_context():
            assert drain_queues() == {"exports": 1}
        expect(page.locator("#state")).to_have_text("Prêt", timeout=10_000)  # reloads by itself
        shown_digest = page.locator("#sha256").inner_text()
        with page.expect_download() as waiting:
            page.locator("#download").click()
        download = waiting.value
        assert download.suggested_filename.endswith(".pdf")
        data = Path(download.path()).read_bytes()
        assert hashlib.sha256(data).hexdigest() == shown_digest
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
        text = "\n".join(pages)
        assert all(name in text for name in NAMES) and town_name in text
        assert pages[-1].rstrip().endswith(f"Page {len(pages)} / {len(pages)}")

        page.goto("/exports")
        expect(page.locator("table tbody tr")).to_have_count(1)
        expect(page.locator("table tbody tr")).to_contain_text("Prêt")
    finally:
        app.config["EXPORT_INLINE_MAX_ROWS"] = limits
