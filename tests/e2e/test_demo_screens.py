"""What a newcomer sees first on the demo: the dashboard of each DPO and a notice page, with the
live cases on them. `RGPD_DOCS_SCREENSHOTS=1` also writes the README's pictures under docs/
(`make screenshots`)."""

import os
import shutil
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e import demo_cases
from tests.e2e.journey import log_in

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _keep(shot: Path, name: str) -> None:
    if os.environ.get("RGPD_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS / name)


def test_the_town_dpo_dashboard_lists_the_demo_cases(journey, demo_server):
    journey.page.set_viewport_size({"width": 1280, "height": 900})
    log_in(journey, demo_server, demo_cases.TOWN_DPO)
    main = journey.page.locator("main")
    expect(main).to_contain_text("Accord écrit requis (transfert hors UE)")
    expect(main).to_contain_text("VIOL-")  # the breach and its 72-hour clock
    expect(main).to_contain_text(demo_cases.TOWN)
    _keep(journey.steps[-1], "dashboard-municipality-dpo.png")


def test_the_processor_dpo_dashboard_counts_work_across_municipalities(journey, demo_server):
    journey.page.set_viewport_size({"width": 1280, "height": 900})
    log_in(journey, demo_server, demo_cases.PROCESSOR_DPO)
    main = journey.page.locator("main")
    for town in ("Montigny-lès-Metz", "Cesson-Sévigné", "Colmar"):
        expect(main).to_contain_text(town)
    expect(main).to_contain_text("observations sur le rapport")
    _keep(journey.steps[-1], "dashboard-processor-dpo.png")


def test_a_subprocessor_notice_page_shows_its_window(journey, demo_server, case):
    notice_id, recipient_id = case(demo_cases.outside_eu_notice)
    journey.page.set_viewport_size({"width": 1280, "height": 900})
    log_in(journey, demo_server, demo_cases.TOWN_DPO)
    journey.visit(f"/subprocessors/notices/{notice_id}/recipients/{recipient_id}", "notification")
    expect(journey.page.locator("main")).to_contain_text("Atlantic Support Services")
    _keep(journey.steps[-1], "subprocessor-notice.png")
