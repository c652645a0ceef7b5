"""At 375 px wide (a small phone) the main pages fit: nothing makes the page scroll sideways,
wide tables scroll inside themselves, and an open menu panel stays on the screen."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

PASSWORD = "Ciel-bas-sur-les-toits-de-Vitre-7"
WIDTH = 375


@pytest.fixture
def activity_id(live_server, processor_id):
    """A municipality with a long name and one processing with long words and a wide table."""
    from rgpd_app.register import services

    org = live_server.make_org("Communauté d'agglomération de Saint-Brieuc-Armor-Agglomération")
    data = {
        "controller_id": org,
        "name": "Gestion des inscriptions périscolaires et de la facturation des repas",
        "purposes": [{"label": "Facturer les repas de la restauration scolaire municipale"}],
        "legal_bases": ["public_task"],
        "data_subjects": ["Familles", "Enfants scolarisés"],
        "data_categories": [
            {
                "label": "Coordonnées des responsables légaux (adresse, téléphone, courriel)",
                "purpose": "Facturer les repas de la restauration scolaire municipale",
                "retention_value": 5,
                "retention_unit": "years",
            }
        ],
        "recipients": ["Trésorerie municipale", "Service enfance-jeunesse"],
        "estimated_persons": 800,
    }
    email = live_server.make_user(
        "controller_dpo", org, name="Anne-Sophie Le Goff", password=PASSWORD
    )
    with live_server.app.app_context():
        from rgpd_app.accounts.models import User
        from rgpd_app.extensions import db
        from rgpd_app.foundation.actor import actor_for

        now = datetime.now(UTC)
        user = db.session.scalar(db.select(User).filter_by(email=email))
        activity_id = services.create_activity(data, actor=actor_for(user, now), now=now).id
    return {"id": activity_id, "email": email}


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_dashboard_register_and_processing_fit_a_375_px_screen(
    page, live_server, activity_id, log_in
):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(activity_id["email"], PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/dashboard")

    for path, heading in [
        ("/dashboard", "Mon travail"),
        ("/register/", "Registre des traitements"),
        (f"/register/{activity_id['id']}", "Gestion des inscriptions périscolaires"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert _page_width(page) <= WIDTH, path

        # The first menu group, opened: its panel stays inside the screen.
        page.locator("nav.main li.group summary").first.click()
        panel = page.locator("nav.main details[open] > ul")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, path
        assert _page_width(page) <= WIDTH, path


def test_a_wide_table_scrolls_inside_itself_on_a_narrow_screen(page, activity_id, log_in):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(activity_id["email"], PASSWORD)

    page.goto(f"/register/{activity_id['id']}")

    tables = page.locator("main table")
    expect(tables.first).to_be_visible()
    widths = tables.evaluate_all(
        "ts => ts.map(t => { const s = t.closest('.table-wrap') || t;"
        " return [s.clientWidth, s.scrollWidth, getComputedStyle(s).overflowX]; })"
    )
    assert any(scroll > client for client, scroll, _ in widths)  # at least one is wider...
    for client, scroll, overflow in widths:  # ...and each wide one scrolls in its own box
        assert client <= WIDTH
        if scroll > client:
            assert overflow == "auto"
