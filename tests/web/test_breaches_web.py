"""Breach pages: each step, the refused roles (403) and the foreign municipality (404)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from rgpd_app import scheduler
from rgpd_app.breaches import services
from rgpd_app.breaches.models import Breach, BreachNotice
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from tests.breaches_support import actor, record

FORM = {
    "started_at": "2026-03-01T23:00",
    "ended_at": "2026-03-02T02:00",
    "aware_at": "2026-03-02T08:30",
    "discovery": "Alerte de l'antivirus",
    "description": "Un rançongiciel a chiffré un partage réseau.",
    "natures": ["availability", "confidentiality"],
    "cause": "external_malicious",
    "data_categories": "État civil\nCoordonnées",
    "person_categories": "Usagers",
    "persons_count": "1200",
    "contact_point": "RSSI, securite@logiciels.example",
}


@pytest.fixture(autouse=True)
def eml(app):
    app.config["SMTP_HOST"] = ""


@pytest.fixture
def towns(make_org):
    return make_org("Metz", departement="57"), make_org("Vitré")


@pytest.fixture
def officer(make_user):
    return make_user("security_officer")


@pytest.fixture
def sent_breach(app, clock, officer, towns):
    """A breach on both towns, both notices confirmed and accepted by the mail server."""
    breach = record(officer, clock, towns)
    for notice in breach.notices:
        services.confirm_notice(notice.id, actor=actor(officer, clock), now=clock())
    scheduler.tick(clock())
    return breach


def test_security_officer_records_a_breach_from_the_form(client, login_as, officer, towns):
    login_as(officer)
    assert client.get("/breaches/new").status_code == 200
    response = client.post("/breaches/new", data={**FORM, "organisation_ids": [towns[0].id]})
    assert response.status_code == 302
    breach = db.session.scalars(select(Breach)).one()
    assert breach.aware_at == datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 Paris (UTC+1)
    assert breach.data_categories == '["État civil", "Coordonnées"]'
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "VIOL-2026-0001" in page and "Metz" in page and "Confirmer et envoyer" in page


def test_bad_form_input_names_the_fields_and_writes_nothing(client, login_as, officer, towns):
    login_as(officer)
    bad = {**FORM, "started_at": "2026-03-29T02:30", "natures": [], "organisation_ids": []}
    response = client.post("/breaches/new", data=bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "n&#39;existe pas à Paris" in body or "n'existe pas à Paris" in body
    assert 'href="#natures"' in body and 'href="#started_at"' in body
    assert db.session.scalars(select(Breach)).all() == []


def test_confirming_sends_the_notice_and_the_page_says_the_clock_has_not_started(
    app, client, clock, login_as, officer, towns
):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9)  # the mail server is down
    breach = record(officer, clock, towns[:1])
    notice = breach.notices[0]
    login_as(officer)
    assert client.post(f"/breaches/notices/{notice.id}/confirm").status_code == 302
    scheduler.tick(clock())
    body = client.get(f"/breaches/notices/{notice.id}").get_data(as_text=True)
    assert "Le délai de notification à la CNIL n'a pas commencé" in body
    assert "Dernière erreur d'envoi : SMTP" in body


def test_update_page_appends_a_phase(client, clock, login_as, officer, towns):
    breach = record(officer, clock, towns[:1])
    login_as(officer)
    form = client.get(f"/breaches/{breach.id}/update").get_data(as_text=True)
    assert "2026-03-02T08:30+01:00" in form  # shown in Paris time with its offset
    data = {**FORM, "summary": "Nombre révisé", "persons_count": "1300", "ended_at": "",
            "is_ongoing": "on"}  # fmt: skip
    assert client.post(f"/breaches/{breach.id}/update", data=data).status_code == 302
    db.session.expire_all()
    assert (breach.phase, breach.persons_count, breach.is_ongoing) == (2, 1300, True)


def test_letter_pdf_and_record(client, clock, login_as, officer, sent_breach):
    notice = sent_breach.notices[0]
    login_as(officer)
    pdf = client.get(f"/breaches/notices/{notice.id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    data = {"sent_on": "2026-03-02", "tracking_number": "1A00112233445"}
    assert client.post(f"/breaches/notices/{notice.id}/letter", data=data).status_code == 302
    bad = client.post(f"/breaches/notices/{notice.id}/letter", data={"sent_on": "2026-03-09"})
    assert bad.status_code == 400 and "Ce champ est obligatoire" in bad.get_data(as_text=True)


def test_municipality_dpo_reads_its_notice_and_records_its_decision(
    client, clock, login_as, towns, sent_breach
):
    mine, foreign = sent_breach.notices
    dpo = login_as("controller_dpo", towns[0])
    page = client.get(f"/breaches/notices/{mine.id}").get_data(as_text=True)
    assert "reçue le 02/03/2026 10:00" in page and "05/03/2026 10:00" in page
    assert client.get(f"/breaches/notices/{foreign.id}").status_code == 404
    assert client.get(f"/breaches/{sent_breach.id}").status_code == 403
    decision = {
        "risk_level": "risk",
        "risk_reasoning": "Données chiffrées au repos",
        "persons_information": "not_required",
    }
    assert client.post(f"/breaches/notices/{mine.id}/decision", data=decision).status_code == 302
    clock.advance(days=4)
    login_as(dpo)  # the idle session expired meanwhile
    late = {"kind": "initial", "notified_at": "2026-03-06T09:00"}
    response = client.post(f"/breaches/notices/{mine.id}/cnil", data=late)
    assert response.status_code == 400 and "motifs du retard" in response.get_data(as_text=True)
    late["delay_reason"] = "Expertise en cours"
    assert client.post(f"/breaches/notices/{mine.id}/cnil", data=late).status_code == 302
    assert client.get(f"/breaches/notices/{mine.id}/cnil.pdf").data.startswith(b"%PDF")
    assert client.get(f"/breaches/notices/{mine.id}/cnil.json").json["organisation"] == "Metz"
    assert client.get(f"/breaches/notices/{foreign.id}/cnil.json").status_code == 404


@pytest.mark.parametrize("role", ["support", "admin"])
def test_support_and_admin_have_no_access(client, login_as, role, sent_breach):
    login_as(role)
    notice = sent_breach.notices[0]
    for path in (
        "/breaches/",
        "/breaches/new",
        "/breaches/register",
        "/breaches/register.csv",
        f"/breaches/{sent_breach.id}",
        f"/breaches/notices/{notice.id}",
        f"/breaches/notices/{notice.id}/cnil.json",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/breaches/notices/{notice.id}/confirm").status_code == 403


@pytest.mark.parametrize("role", ["instructor", "controller_dpo"])
def test_municipality_roles_cannot_record_or_confirm(client, login_as, towns, role, sent_breach):
    login_as(role, towns[0])
    assert client.get("/breaches/new").status_code == 403
    assert client.post(f"/breaches/notices/{sent_breach.notices[0].id}/confirm").status_code == 403


def test_instructor_reads_but_cannot_decide(client, login_as, towns, sent_breach):
    login_as("instructor", towns[0])
    notice = sent_breach.notices[0]
    assert client.get(f"/breaches/notices/{notice.id}").status_code == 200
    data = {"risk_level": "none", "risk_reasoning": "x", "persons_information": "not_required"}
    assert client.post(f"/breaches/notices/{notice.id}/decision", data=data).status_code == 403


def test_auditor_reads_its_municipality_only(client, clock, login_as, towns, sent_breach):
    today = clock().date()
    login_as("auditor", towns[1], controller_id=towns[1].id, valid_from_on=today,
             valid_until_on=today)  # fmt: skip
    metz, vitre = sent_breach.notices
    assert client.get(f"/breaches/notices/{vitre.id}").status_code == 200
    assert client.get(f"/breaches/notices/{metz.id}").status_code == 404
    body = client.get("/breaches/register").get_data(as_text=True)
    assert "Vitré" in body and "Metz" not in body


def test_register_lists_every_breach_and_exports_are_journaled(
    client, login_as, officer, towns, sent_breach, clock
):
    record(officer, clock, towns[1:])  # not notified yet: still in the processor's register
    login_as(officer)
    body = client.get("/breaches/register").get_data(as_text=True)
    assert "VIOL-2026-0001" in body and "VIOL-2026-0002" in body
    for fmt in ("csv", "xlsx", "ods", "json", "pdf"):
        response = client.get(f"/breaches/register.{fmt}")
        assert response.status_code == 200, fmt
        response.get_data()
        response.close()  # the XLSX/ODS answers spool to a temporary file
    csv = client.get("/breaches/register.csv").get_data(as_text=True)
    assert csv.count("VIOL-2026-") == 3
    exports = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "breach.register_exported")
    ).all()
    assert len(exports) == 6


def test_controller_register_is_its_municipality_only(client, login_as, towns, sent_breach):
    login_as("controller_dpo", towns[1])
    csv = client.get("/breaches/register.csv").get_data(as_text=True)
    assert "Vitré" in csv and "Metz" not in csv


def test_echeances_show_the_breach_clocks(client, clock, login_as, officer, towns, sent_breach):
    record(officer, clock, towns[:1])
    login_as(officer)
    body = client.get("/echeances/").get_data(as_text=True)
    assert "informer la collectivité" in body and "notification à la CNIL" in body
    login_as("controller_dpo", towns[0])
    body = client.get("/echeances/").get_data(as_text=True)
    assert "notification à la CNIL" in body and "informer la collectivité" not in body


def test_nav_link_violations(client, login_as, officer, towns):
    login_as(officer)
    assert "Violations" in client.get("/breaches/").get_data(as_text=True)
    login_as("controller_dpo", towns[0])
    assert client.get("/breaches/").status_code == 200
    assert db.session.scalars(select(BreachNotice)).all() == []


def test_the_notice_page_shows_the_delivery_evidence(client, login_as, towns, sent_breach):
    mine = sent_breach.notices[0]
    login_as("controller_dpo", towns[0])
    page = client.get(f"/breaches/notices/{mine.id}").get_data(as_text=True)
    assert "Remise du courriel (preuve)" in page
    assert "02/03/2026 10:00" in page  # the first acceptance, Paris time
    assert ".eml écrit dans le dossier de courrier" in page  # the transport's answer
    assert towns[0].dpo_email in page


def test_the_municipalities_and_processings_are_typed_not_listed(
    client, clock, login_as, officer, towns, make_user
):
    from rgpd_app.foundation.actor import actor_for
    from rgpd_app.register import services as register

    keeper = make_user("processor_dpo")
    for town in towns:
        register.create_activity(
            {"controller_id": town.id, "name": "Hébergement de la paie",
             "purposes": [{"label": "Payer les agents"}]},
            actor=actor_for(keeper, clock()), now=clock(),
        )  # fmt: skip
    login_as(officer)
    page = client.get("/breaches/new").get_data(as_text=True)
    assert "<option" not in page.split('id="activities"')[1].split("</fieldset>")[0]
    refused = client.post("/breaches/new", data={**FORM, "activities": "paie\nCantine"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Aucun traitement ne s&#39;appelle « Cantine »" in body
    assert db.session.scalars(select(Breach)).all() == []
    # A processing's name designates it in every municipality; they are then deduced.
    response = client.post("/breaches/new", data={**FORM, "activities": "hébergement de la PAIE"})
    assert response.status_code == 302
    breach = db.session.scalars(select(Breach)).one()
    assert sorted(n.organisation_id for n in breach.notices) == sorted(t.id for t in towns)
    assert len(services.linked_activities(breach)) == 2


def test_a_municipality_is_added_to_a_breach_by_its_name(client, clock, login_as, officer, towns):
    breach = record(officer, clock, towns[:1])
    login_as(officer)
    detail = f"/breaches/{breach.id}"
    assert "Vitré</option>" not in client.get(detail).get_data(as_text=True)
    response = client.post(f"{detail}/municipalities", data={"organisation": "vitr"})
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(n.organisation_id for n in breach.notices) == sorted(t.id for t in towns)
    client.post(f"{detail}/municipalities", data={"organisation": "Quimper"})
    assert "Aucune collectivité ne correspond à « Quimper »" in client.get(detail).get_data(
        as_text=True
    )
