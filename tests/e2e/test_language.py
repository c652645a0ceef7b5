"""The language switch is a plain form: it works without any script."""

from playwright.sync_api import expect


def test_switching_to_english_keeps_the_page_working(page, live_server):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/login")
    expect(page.locator("#lang")).to_have_value("fr")

    page.select_option("#lang", "en")
    page.click("form.lang button[type=submit]")

    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator("#lang")).to_have_value("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form input#email")).to_be_visible()
    expect(page.locator("form input#password")).to_be_visible()
    assert errors == []
