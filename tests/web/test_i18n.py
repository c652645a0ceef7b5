"""English interface: the language switch, and a complete, consistent English catalogue.

When a catalogue test fails after adding French text: add the msgid to
rgpd_app/translations/en.json and run rgpd_app/translations/update.sh.
"""

import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "rgpd_app" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None}
# printf conversions: %(name)s, %s, %d ..., and the escaped percent sign %%
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
HELP = "add them to rgpd_app/translations/en.json, then run rgpd_app/translations/update.sh"


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def _messages(catalogue):
    return [m for m in catalogue if m.id]


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


# --- the language switch ---------------------------------------------------------------


def test_login_page_follows_the_session_language(client):
    assert "Se connecter" in _text(client.get("/login"))

    client.post("/language", data={"lang": "en"})
    body = _text(client.get("/login"))
    assert "Log in" in body and "Email address" in body and '<html lang="en">' in body
    assert "Se connecter" not in body

    client.post("/language", data={"lang": "fr"})
    body = _text(client.get("/login"))
    assert "Se connecter" in body and "Log in" not in body


def test_dashboard_menu_and_roles_follow_the_language(client, login_as, make_org):
    login_as("controller_dpo", make_org("Commune de Thionville", departement="57"))

    client.post("/language", data={"lang": "en"})
    body = _text(client.get("/dashboard"))
    nav = body.split('aria-label="Main navigation"', 1)[1].split("</nav>", 1)[0]
    for label in ("My work", "My deadlines", "Deadline calculator", "Processing activities",
                  "Accounts", "Log of accesses and actions"):  # fmt: skip
        assert f">{label}</a>" in nav, label
    for group in ("Dashboard", "Breaches", "Administration", "Log"):
        assert f">{group}</summary>" in nav, group
    for french in ("Tableau de bord", "Mes échéances", "Calculateur de délais", "Registre"):
        assert french not in nav, french
    assert "Home" not in body  # the dashboard is the root: no breadcrumb there
    assert "Municipality's DPO" in body and "Log out" in body  # role label, header

    client.post("/language", data={"lang": "fr"})
    body = _text(client.get("/dashboard"))
    nav = body.split('aria-label="Navigation principale"', 1)[1].split("</nav>", 1)[0]
    for label in ("Mon travail", "Mes échéances", "Calculateur de délais", "Traitements"):
        assert f">{label}</a>" in nav, label
    assert ">Tableau de bord</summary>" in nav and ">Registre</summary>" in nav
    assert "DPO de la collectivité" in body and "Se déconnecter" in body


def test_the_chosen_language_is_kept_on_the_account(client, login_as, make_org):
    user = login_as("controller_dpo", make_org())
    from rgpd_app.extensions import db

    client.post("/language", data={"lang": "en"})
    db.session.refresh(user)
    assert user.language == "en"
    client.post("/language", data={"lang": "xx"})  # unknown: ignored
    assert "Dashboard" in _text(client.get("/dashboard"))


# --- the catalogue -----------------------------------------------------------------------


def test_every_msgid_has_an_english_translation(catalogue):
    missing = [m.id for m in _messages(catalogue) if not (m.string or "").strip()]
    assert not missing, f"{len(missing)} msgid(s) without translation ({HELP}):\n" + "\n".join(
        missing
    )


def test_no_translation_is_left_fuzzy(catalogue):
    fuzzy = [m.id for m in _messages(catalogue) if m.fuzzy]
    assert not fuzzy, f"fuzzy entries ({HELP}): {fuzzy}"


def test_placeholders_match_between_msgid_and_msgstr(catalogue):
    wrong = [
        f"{m.id!r} → {m.string!r}"
        for m in _messages(catalogue)
        if m.string and Counter(PLACEHOLDER.findall(m.id)) != Counter(PLACEHOLDER.findall(m.string))
    ]
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_catalogue_covers_every_string_of_the_sources(catalogue):
    """Every `_()` in templates and Python is in the .po (else: run update.sh)."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    extracted = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
        if isinstance(message, str)
    }
    known = {m.id for m in _messages(catalogue)}
    absent = sorted(extracted - known)
    assert not absent, f"{len(absent)} string(s) not in the catalogue ({HELP}):\n" + "\n".join(
        absent
    )


def test_render_time_labels_are_in_the_catalogue(app, catalogue):
    """Menu entries, role and contract-period labels are translated from a variable."""
    from rgpd_app.foundation.roles import ROLE_LABELS
    from rgpd_app.navigation import SECTIONS
    from rgpd_app.templating import PERIOD_LABELS

    menu = {str(s.label) for s in SECTIONS} | {str(e.label) for s in SECTIONS for e in s.entries}
    labels = menu | set(ROLE_LABELS.values()) | set(PERIOD_LABELS.values())
    absent = sorted(label for label in labels if label not in catalogue)
    assert not absent, f"render-time labels not in the catalogue ({HELP}): {absent}"


def test_the_compiled_catalogue_matches_the_po(catalogue):
    assert MO.exists(), "no .mo: run `make install-dev` or rgpd_app/translations/update.sh"
    with MO.open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    expected = {m.id: m.string for m in _messages(catalogue) if m.string}
    assert compiled == expected, "stale .mo: run rgpd_app/translations/update.sh"
