"""The shared display macros say every state in words, and the stylesheet is self-contained
with a print version for the pages people print (register entry, breach notice, certificate)."""

from pathlib import Path

import pytest
import tinycss2
from flask import render_template_string

STYLESHEET = Path(__file__).resolve().parents[2] / "rgpd_app" / "static" / "style.css"


def render(app, source: str, **context) -> str:
    with app.test_request_context("/"):
        return render_template_string(
            '{% from "macros/ui.html" import badge, clock_box, button %}' + source, **context
        )


def test_a_badge_carries_its_text_and_its_tone(app):
    html = render(app, '{{ badge("En retard", "late") }}')

    assert html == '<span class="badge late">En retard</span>'


def test_a_badge_of_an_unknown_tone_falls_back_to_info_and_keeps_its_text(app):
    html = render(app, '{{ badge("Brouillon", "purple") }}')

    assert html == '<span class="badge info">Brouillon</span>'


def test_a_badge_escapes_its_text(app):
    html = render(app, "{{ badge(text) }}", text="<b>x</b>")

    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html


def test_an_overdue_clock_says_so_in_words_not_only_by_its_colour(app):
    html = render(
        app,
        '{{ clock_box("Observations sur le rapport", "vendredi 4 décembre 2026", '
        '"échue depuis 2 jours", true, id="clock-observations") }}',
    )

    assert 'class="clock overdue"' in html and 'id="clock-observations"' in html
    assert "<h3>Observations sur le rapport</h3>" in html
    assert "Échéance : <strong>vendredi 4 décembre 2026</strong>" in html
    assert '<span class="badge late">délai expiré</span> échue depuis 2 jours' in html


def test_a_running_clock_shows_the_time_left_and_the_calculation_given_by_its_caller(app):
    html = render(
        app,
        '{% call clock_box("Assistance", "18/12/2026", "reste 12 jours", false) %}'
        "<details><summary>Détail du calcul</summary></details>{% endcall %}",
    )

    assert 'class="clock"' in html and "overdue" not in html
    assert "délai expiré" not in html
    assert '<p class="clock-left">reste 12 jours</p>' in html
    assert "<summary>Détail du calcul</summary>" in html


def test_the_clock_is_translated_with_the_page(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            html = render_template_string(
                '{% from "macros/ui.html" import clock_box %}'
                '{{ clock_box("Answer", "18/12/2026", "", true) }}'
            )

    assert "Deadline:" in html and "time limit expired" in html


def test_the_button_macro_gives_its_tone_as_a_class(app):
    html = render(app, '{{ button("Supprimer", "danger", name="remove", value="1") }}')

    assert html == '<button type="submit" class="danger" name="remove" value="1">Supprimer</button>'


@pytest.fixture(scope="module")
def rules():
    return tinycss2.parse_stylesheet(
        STYLESHEET.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
    )


def _print_rules(rules):
    """(selector, declarations) of every rule inside `@media print`."""
    found = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            if tinycss2.serialize(rule.prelude).strip() != "print":
                continue
            for inner in tinycss2.parse_rule_list(
                rule.content, skip_comments=True, skip_whitespace=True
            ):
                if inner.type == "qualified-rule":
                    selectors = {s.strip() for s in tinycss2.serialize(inner.prelude).split(",")}
                    found.append((selectors, tinycss2.serialize(inner.content)))
    return found


def _declares(print_rules, selector: str, declaration: str) -> bool:
    return any(selector in sels and declaration in body for sels, body in print_rules)


def test_the_stylesheet_is_parsed_without_errors_and_loads_nothing_from_elsewhere(rules):
    assert not [r for r in rules if r.type == "error"]
    text = STYLESHEET.read_text(encoding="utf-8")
    assert "@import" not in text and "url(" not in text


@pytest.mark.parametrize(
    "selector", ["nav.main", ".me", "form.lang", "nav.breadcrumb", "button", "form", ".filters"]
)
def test_print_hides_navigation_buttons_and_forms(rules, selector):
    assert _declares(_print_rules(rules), selector, "display: none")


def test_print_shows_the_address_of_external_links(rules):
    print_rules = _print_rules(rules)

    assert _declares(print_rules, 'a[href^="https://"]::after', "attr(href)")
    assert _declares(print_rules, 'a[href^="http://"]::after', "attr(href)")


def test_print_keeps_headings_with_their_content_and_rows_whole(rules):
    print_rules = _print_rules(rules)

    for heading in ("h1", "h2", "h3"):
        assert _declares(print_rules, heading, "break-after: avoid")
    assert _declares(print_rules, "tr", "break-inside: avoid")
    assert _declares(print_rules, "thead", "display: table-header-group")


def test_every_page_table_can_be_scrolled_from_the_keyboard():
    """Tables scroll sideways on narrow screens (display: block; overflow-x: auto): each one
    must take the focus (tabindex="0") or a keyboard user cannot reach its hidden columns
    (axe-core's scrollable-region-focusable, WCAG 2.1.1). E-mails are not pages."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    missing = [
        f"{path.relative_to(root)}: {tag}"
        for path in root.rglob("*.html")
        if "emails" not in path.parts
        for tag in re.findall(r"<table\b[^>]*>", path.read_text(encoding="utf-8"))
        if 'tabindex="0"' not in tag
    ]
    assert not missing, missing
