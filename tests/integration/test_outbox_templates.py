"""Snapshots of the rendered e-mails (UPDATE_SNAPSHOTS=1 rewrites the expected files)."""

import os
from pathlib import Path

import pytest

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.notifications import services
from rgpd_app.notifications.emails import render_email

SNAPSHOTS = Path(__file__).parent / "snapshots"

NOTICE = {
    "title": "Nouveau sous-traitant ultérieur : Hébergeur & Fils",
    "organisation_name": "Commune de Saint-Malo",
    "lines": [
        "Nous envisageons de recourir à un nouveau sous-traitant ultérieur.",
        "Vous pouvez vous y opposer jusqu'au 9 mars 2026 <inclus>.",
    ],
    "link": "/subprocessors/3",
    "link_label": "Consulter l'information",
}


def assert_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if os.environ.get("UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {name} was missing and has been written; check it in")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_SNAPSHOTS=1)"


def test_notice_email_matches_its_snapshots(app):
    rendered = render_email("notice", NOTICE)
    assert_snapshot("notice.subject.txt", rendered.subject + "\n")
    assert_snapshot("notice.txt", rendered.text)
    assert_snapshot("notice.html", rendered.html)


def test_minimal_notice_matches_its_snapshots(app):
    rendered = render_email("notice", {"title": "Rappel", "subject": "Un objet choisi"})
    assert rendered.subject == "Un objet choisi"
    assert_snapshot("notice_minimal.txt", rendered.text)
    assert_snapshot("notice_minimal.html", rendered.html)


def test_html_escapes_the_context_and_text_keeps_it(app):
    rendered = render_email("notice", NOTICE)
    assert "&lt;inclus&gt;" in rendered.html and "Hébergeur &amp; Fils" in rendered.html
    assert "<inclus>" in rendered.text and "Hébergeur & Fils" in rendered.text
    assert "http://127.0.0.1:5000/subprocessors/3" in rendered.text


def test_emails_are_french_whatever_the_request_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "Bonjour," in render_email("notice", {"title": "T"}).text


def test_the_content_is_frozen_when_enqueued(app, clock):
    context = {"title": "Avant", "lines": []}
    message = services.enqueue_email(
        to="dpo@commune.example", template="notice", context=context, now=clock()
    )
    context["title"] = "Après"
    db.session.commit()
    assert message.subject == "[RGPD] Avant" and "Avant" in message.body_text


@pytest.mark.parametrize(
    ("to", "template", "field"),
    [
        ("not-an-address", "notice", "to"),
        ("a@b.example\nBcc: x@y.example", "notice", "to"),
        ("dpo@commune.example", "no_such_template", "template"),
    ],
)
def test_bad_recipient_or_template_is_refused(app, clock, to, template, field):
    with pytest.raises(ValidationFailed) as err:
        services.enqueue_email(to=to, template=template, context={"title": "T"}, now=clock())
    assert field in err.value.fields
