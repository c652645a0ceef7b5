"""The keyboard alone: the skip link, a visible focus on every stop, the login form and the
password change form filled and sent without the mouse; axe-core on each page."""

import re

from playwright.sync_api import Page, expect

EMAIL = "dpo@colmar.example"  # a municipality's DPO: no two-factor step
NEW_PASSWORD = "Brume-legere-sur-le-Rhin-2026"
MAX_TABS = 80


def focused(page: Page) -> dict:
    """What has the focus, and whether it is drawn (an outline or a shadow) for the eye."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                text: (el.innerText || el.value || "").trim(),
                in_main: !!el.closest("main"),
                visible: el.matches(":focus-visible")
                    && ((style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                        || style.boxShadow !== "none"),
                on_screen: (() => {
                    const r = el.getBoundingClientRect();
                    return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0;
                })(),
            };
        }"""
    )


def tab_to(page: Page, wanted) -> dict:
    """Press Tab until `wanted(focus)` holds; every stop on the way must show its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = focused(page)
        if focus["tag"] == "body":  # past the last stop the focus goes to the browser, then wraps
            continue
        assert focus["visible"] and focus["on_screen"], f"focus not visible on {focus}"
        if wanted(focus):
            return focus
    raise AssertionError(f"not reached with {MAX_TABS} Tab presses (last: {focus})")


def send_password_form(page: Page, current: str, new: str, confirm: str) -> None:
    for field_id, value in (
        ("current_password", current),
        ("new_password", new),
        ("confirm_password", confirm),
    ):
        tab_to(page, lambda f, wanted=field_id: f["id"] == wanted)
        page.keyboard.type(value)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Enregistrer")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def test_log_in_and_change_the_password_with_the_keyboard_only(journey, demo_server):
    page = journey.page
    page.goto("/login")
    journey.step("connexion")

    # The first Tab reaches the skip link, shown on screen; Enter skips the header.
    skip = tab_to(page, lambda f: True)
    assert skip["text"] == "Aller au contenu", skip
    journey.step("lien d'évitement")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo_server.url}/login#content")
    first_in_main = tab_to(page, lambda f: True)
    assert first_in_main["in_main"] and first_in_main["id"] == "email", first_in_main

    page.keyboard.type(EMAIL)
    tab_to(page, lambda f: f["id"] == "password")
    page.keyboard.type(demo_server.password(EMAIL))
    page.keyboard.press("Enter")
    # The form was sent from /login#content: the browser keeps the fragment over the redirect.
    expect(page).to_have_url(re.compile(r"/dashboard(#content)?$"))
    expect(page.locator(".lead .roles")).to_have_text("DPO de la collectivité")
    journey.step("tableau de bord")

    link = tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Mot de passe")
    assert not link["in_main"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo_server.url}/account/password")
    journey.step("changer de mot de passe")

    # A mistyped confirmation first: refused, the error shown next to its field.
    send_password_form(page, demo_server.password(EMAIL), NEW_PASSWORD, NEW_PASSWORD + "x")
    expect(page).to_have_url(f"{demo_server.url}/account/password")
    expect(page.locator("#confirm_password-error")).to_have_text(
        "Les deux saisies ne correspondent pas."
    )
    expect(page.locator("#confirm_password")).to_have_attribute("aria-invalid", "true")
    journey.step("confirmation erronée")

    send_password_form(page, demo_server.password(EMAIL), NEW_PASSWORD, NEW_PASSWORD)

    expect(page).to_have_url(f"{demo_server.url}/dashboard")
    expect(page.locator(".flash.success")).to_have_text("Votre mot de passe a été changé.")
    expect(page.locator(".error")).to_have_count(0)
    demo_server.changed_passwords[EMAIL] = NEW_PASSWORD
    journey.step("mot de passe changé")
