"""The prepared CNIL notification (mapping as data), the letter PDF."""

from datetime import timedelta

import pytest

from rgpd_app import scheduler
from rgpd_app.breaches import cnil_form, services
from tests.breaches_support import actor, record


@pytest.fixture(autouse=True)
def eml(app):
    app.config["SMTP_HOST"] = ""


def values(content: dict) -> dict:
    return {f["label"]: f["value"] for s in content["sections"] for f in s["fields"]}


def test_every_source_of_the_mapping_exists(app, clock, make_user, make_org, processor):
    officer = make_user("security_officer")
    breach = record(officer, clock, [make_org("Metz")])
    sources = cnil_form._sources(breach.notices[0])
    for section in cnil_form.mapping()["sections"]:
        for item in section["fields"]:
            head, _, name = item["source"].partition(".")
            assert head in sources, item
            if head != "decision":  # filled once the municipality has decided
                assert name in sources[head], item


def test_the_cnil_form_holds_what_both_sides_recorded(app, clock, make_user, make_org, processor):
    officer = make_user("security_officer")
    metz, vitre = make_org("Metz", address="1 place d'Armes"), make_org("Vitré")
    breach = record(officer, clock, [metz, vitre])
    who = actor(officer, clock)
    services.set_municipality(
        breach.id, {"organisation_id": metz.id, "persons_count": 321}, actor=who, now=clock()
    )
    for notice in breach.notices:
        services.confirm_notice(notice.id, actor=who, now=clock())
    scheduler.tick(clock())
    notice = breach.notices[0]
    dpo = make_user("controller_dpo", metz)
    services.record_decision(
        notice.id,
        {
            "risk_level": "high",
            "risk_reasoning": "Usurpation d'identité possible",
            "persons_information": "informed",
            "persons_informed_on": clock().date(),
            "persons_information_means": "Courrier individuel",
            "exemption": "",
            "public_communication": "",
        },
        actor=actor(dpo, clock),
        now=clock(),
    )
    clock.set(notice.authority_deadline_at + timedelta(hours=2))
    services.record_cnil_notification(
        notice.id,
        {
            "kind": "initial",
            "notified_at": clock(),
            "cnil_reference": "CNIL-2026-42",
            "delay_reason": "Attente du rapport d'analyse",
        },
        actor=actor(dpo, clock),
        now=clock(),
    )
    content = services.cnil_form(notice.id, actor=actor(dpo, clock), now=clock())
    shown = values(content)
    assert [s["title"] for s in content["sections"]][:3] == [
        "Type de notification",
        "Organisme",
        "Contacts",
    ]
    assert shown["Type de notification"] == "Notification complémentaire"
    assert shown["Référence de la notification initiale"] == "CNIL-2026-42"
    assert shown["Responsable de traitement"] == "Metz"
    assert shown["Sous-traitant concerné"] == "Logiciels Publics"
    assert shown["Nombre approximatif de personnes concernées"] == "321"
    assert shown["Niveau de risque pour les personnes"] == "Risque élevé"
    assert shown["Motifs du retard (au-delà du délai)"] == "Attente du rapport d'analyse"
    assert shown["Nature"] == "Perte de disponibilité, Perte de confidentialité"
    assert "heure de Paris" in shown["Prise de connaissance par le sous-traitant"]
    pdf = services.cnil_form_pdf(notice.id, actor=actor(dpo, clock), now=clock())
    assert pdf.startswith(b"%PDF")
    _, letter = services.letter_pdf(breach.notices[1].id, actor=who, now=clock())
    assert letter.startswith(b"%PDF")
