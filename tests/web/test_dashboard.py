"""The dashboard is each role's to-do list: what waits for them now, by domain, counted, the
overdue ones said in words, each linking to where it is acted on; processor staff filter it by
municipality without a list of every municipality."""

import re
from datetime import timedelta

from rgpd_app.exports.models import DONE, ExportJob
from rgpd_app.extensions import db


def _sections(body: str) -> dict[str, int]:
    """Card counts by section anchor: {"admin": 1, ...}."""
    return {k: int(n) for k, n in re.findall(r'<a href="#(\w+)"><span class="count">(\d+)', body)}


def test_a_municipality_dpo_sees_its_own_clocks_counted_and_no_other_town(
    client, login_as, make_org, clock
):
    town = make_org("Commune de Sarreguemines", departement="57",
                    contract_end_on=clock().date() + timedelta(days=40))  # fmt: skip
    other = make_org("Commune voisine", contract_end_on=clock().date() + timedelta(days=20))
    login_as("controller_dpo", town)
    body = client.get("/dashboard").get_data(as_text=True)
    assert "DPO de la collectivité" in body
    assert _sections(body) == {"admin": 1}
    assert "Fin du contrat de maintenance" in body and "Commune de Sarreguemines" in body
    assert f'href="/organisations/{town.id}"' in body
    assert other.name not in body
    assert 'name="organisation_q"' not in body  # one municipality: nothing to filter


def test_overdue_items_are_first_and_said_in_words(client, login_as, make_org, clock):
    town = make_org("Commune de Bitche", contract_end_on=clock().date() - timedelta(days=3))
    make_org("Commune de Forbach", contract_end_on=clock().date() + timedelta(days=60))
    login_as("processor_dpo")
    body = client.get("/dashboard").get_data(as_text=True)
    assert _sections(body) == {"admin": 2}
    assert "En retard : 1" in body
    late, later = body.index("Commune de Bitche"), body.index("Commune de Forbach")
    assert late < later
    item = body[body.rindex("<li", 0, late) : late]
    assert 'class="late"' in item and "En retard" in item
    assert "échue depuis" in body
    assert town.name in body


def test_the_processor_dpo_filters_by_municipality_by_link_or_by_name(
    client, login_as, make_org, clock
):
    bitche = make_org("Commune de Bitche", contract_end_on=clock().date() + timedelta(days=9))
    make_org("Commune de Forbach", contract_end_on=clock().date() + timedelta(days=60))
    login_as("processor_dpo")
    body = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/dashboard?organisation_id={bitche.id}"' in body
    filtered = client.get(f"/dashboard?organisation_id={bitche.id}").get_data(as_text=True)
    assert "Filtré sur Commune de Bitche." in filtered and "Commune de Forbach" not in filtered
    by_name = client.get("/dashboard?organisation_q=forbàch").get_data(as_text=True)
    assert "Commune de Forbach" in by_name and "Commune de Bitche" not in by_name
    assert body.count("<option") == 2  # the language picker only: no list of municipalities
    nothing = client.get("/dashboard?organisation_q=Brest").get_data(as_text=True)
    assert "Rien ne vous attend pour l'instant. (avec ce filtre)" in nothing


def test_a_municipality_dpo_cannot_filter_on_another_town(client, login_as, make_org):
    town, other = make_org("Commune de Sarreguemines"), make_org("Commune voisine")
    login_as("controller_dpo", town)
    assert client.get(f"/dashboard?organisation_id={other.id}").status_code == 404
    assert client.get("/dashboard?organisation_id=99999999999999999999").status_code == 200


def test_instructions_wait_for_the_processor_dpo_to_acknowledge_them(
    client, login_as, given, staff
):
    login_as(staff.processor_dpo)
    body = client.get("/dashboard").get_data(as_text=True)
    assert _sections(body).get("subprocessing", 0) >= 1
    assert f"Instruction {given.reference}" in body and "À accuser réception" in body
    assert f'href="/instructions/{given.id}"' in body
    login_as(staff.controller_dpo)
    assert "À accuser réception" not in client.get("/dashboard").get_data(as_text=True)


def test_an_export_built_by_the_worker_waits_until_it_is_downloaded(client, login_as, clock):
    user = login_as("support")
    job = ExportJob(public_id="a" * 32, kind="register", fmt="ods", title="Registre complet",
                    filename="registre.ods", user_id=user.id, state=DONE,
                    requested_at=clock(), finished_at=clock(),
                    expires_at=clock() + timedelta(hours=24))  # fmt: skip
    db.session.add(job)
    db.session.commit()
    body = client.get("/dashboard").get_data(as_text=True)
    assert _sections(body) == {"files": 1}
    assert "Registre complet" in body and "Export prêt à télécharger" in body
    assert f'href="/exports/{job.public_id}"' in body
    job.downloaded_at = clock()
    db.session.commit()
    assert "Registre complet" not in client.get("/dashboard").get_data(as_text=True)


def test_nothing_waiting_is_said_so(client, login_as):
    login_as("support")
    body = client.get("/dashboard").get_data(as_text=True)
    assert "Rien ne vous attend pour l'instant." in body and "Agent support" in body


def test_the_dashboard_needs_a_signed_in_user(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location
