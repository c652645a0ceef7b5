"""One language at a time (issue 15, item 6): in English, the main journeys show no French
sentence — flashes, refused forms, domain errors, labels and the journal included.

A French sentence is any msgid of the compiled catalogue with at least three words whose
English differs; with placeholders, its longest literal piece of three words or more."""

import re
from datetime import timedelta
from html import unescape

import pytest
from babel.messages.mofile import read_mo
from flask_babel import force_locale

from rgpd_app.errors import Conflict, ValidationFailed
from rgpd_app.messages import N_
from tests.web.test_i18n import MO
from tests.web.test_subprocessors_web import sent, url  # noqa: F401 (a fixture)

PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{\{?[^}]*\}\}?")


def _french_sentences() -> set[str]:
    with MO.open("rb") as f:
        catalogue = read_mo(f)
    found = set()
    for message in catalogue:
        if not message.id or not message.string or message.string == message.id:
            continue
        pieces = [p.strip(" :;,.«»()—") for p in PLACEHOLDER.split(message.id)]
        piece = max(pieces, key=len)
        if len(piece.split()) >= 3:
            found.add(piece)
    return found


FRENCH = _french_sentences()


def visible_text(response) -> str:
    html = response.get_data(as_text=True)
    # A clock's "Détail du calcul" comes from the pure `deadlines` library, French only so far.
    html = re.sub(r"<(script|style|details)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_no_french(response) -> None:
    text = visible_text(response)
    french = sorted(s for s in FRENCH if s in text)
    assert not french, f"French left on {response.request.path}: {french}"


def english(client) -> None:
    client.post("/language", data={"lang": "en"})


def test_the_check_sees_french_when_there_is_some(client, login_as, make_org):
    login_as("controller_dpo", make_org("Commune de Thionville"))
    with pytest.raises(AssertionError, match="French left"):
        assert_no_french(client.get("/dashboard"))  # French is the default
    assert len(FRENCH) > 500


def test_a_domain_error_is_french_by_default_and_english_under_the_english_locale(app):
    err = Conflict(N_("Le délai d'un mois a expiré le %(day)s : trop tard.", day="09/03/2026"))
    assert err.message == "Le délai d'un mois a expiré le 09/03/2026 : trop tard."
    refused = ValidationFailed({"name": [N_("Ce champ est obligatoire.")]})
    with app.test_request_context():
        assert err.translated() == err.message  # no translation: the msgid stays
        with force_locale("en"):
            assert refused.translated() == "The data sent is invalid."
            assert refused.translated_fields() == {"name": ["This field is required."]}
    assert refused.fields["name"] == ["Ce champ est obligatoire."]  # the CLI's French


def test_the_processor_dpo_journeys_are_in_english(client, login_as, sub_world, sent):  # noqa: F811
    login_as(sub_world.dpo.user)
    english(client)
    for path in ("/dashboard", "/register/", "/subprocessors/", "/subprocessors/notices/",
                 "/audits/", "/journal/", "/echeances/"):  # fmt: skip
        page = client.get(path)
        assert page.status_code == 200, path
        assert_no_french(page)


def test_a_refused_form_names_its_fields_in_english(client, login_as, sub_world):
    login_as(sub_world.dpo.user)
    english(client)
    refused = client.post("/subprocessors/notices/new", data={"scope": "all"})
    assert refused.status_code == 400
    assert "Specify whether this is an addition or a replacement." in visible_text(refused)
    assert_no_french(refused)


def test_the_municipality_dpo_objects_in_english_and_a_late_objection_is_refused_in_english(
    client,
    login_as,
    sub_world,
    sent,  # noqa: F811
    clock,
):
    notice, rennes, metz = sent
    clock.set(rennes.window_closes_at - timedelta(minutes=1))
    login_as(sub_world.rennes_dpo.user)
    english(client)
    # Not the recipient page: it quotes the notice as sent, a French letter (notices/text.py).
    for path in ("/dashboard", "/register/", "/journal/"):
        assert_no_french(client.get(path))
    done = client.post(url(notice, rennes, "object"), data={"reason": "Non certifié"})
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    flashed = unescape(page.split('class="flash success"', 1)[1].split("</p>", 1)[0])
    assert "Your objection has been recorded." in flashed

    clock.set(metz.window_closes_at + timedelta(minutes=1))
    login_as(sub_world.metz_dpo.user)
    english(client)
    late = client.post(url(notice, metz, "object"), data={"reason": "Trop tard"})
    assert late.status_code == 409
    # The page quotes the notice as sent (a French letter): check the refusal itself.
    errors = late.get_data(as_text=True).split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert "The objection period ended on" in unescape(errors)
    assert not [s for s in FRENCH if s in unescape(errors)]


def test_the_journal_names_each_action_in_the_pages_language(client, login_as, sub_world, sent):  # noqa: F811
    login_as(sub_world.dpo.user)
    assert "Notification de sous-traitant envoyée" in visible_text(client.get("/journal/"))
    english(client)
    page = visible_text(client.get("/journal/"))
    assert "Sub-processor notice sent" in page
    assert "subprocessor_notice.sent" not in page  # the code stays in a tooltip only


def test_the_audit_pages_are_in_english_for_both_sides(client, login_as, people, requested):
    login_as(people.controller_dpo)
    english(client)
    listing = client.get("/audits/")
    assert "Audits › Audits" not in visible_text(listing)
    assert_no_french(listing)
    page = client.get(f"/audits/{requested.id}")
    assert "left" in visible_text(page) and "requested" in visible_text(page)
    assert_no_french(page)
    login_as(people.processor_dpo)
    english(client)
    assert_no_french(client.get(f"/audits/{requested.id}"))


def test_the_api_answers_errors_in_the_requests_language(api, make_user, sub_world):
    caller = api(sub_world.dpo.user)
    french = caller.post("/api/v1/subprocessors", json={})
    english_body = caller.post("/api/v1/subprocessors", json={},
                               headers={"Accept-Language": "en"})  # fmt: skip
    assert french.status_code == english_body.status_code == 400
    assert french.get_json()["detail"] == "Les données envoyées sont invalides."
    assert english_body.get_json()["detail"] == "The data sent is invalid."
