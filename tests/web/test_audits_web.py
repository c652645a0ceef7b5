"""Audit pages: the notice form, the detail with its clocks, actions, roles and tenancy."""

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from rgpd_app.audits.models import AuditRequest
from rgpd_app.extensions import db


def form(**over) -> dict:
    values = {
        "start_on": "2026-04-02",
        "end_on": "2026-04-03",
        "period_from": "2025-01-01",
        "period_to": "2025-12-31",
        "scope": "État civil",
        "auditors-0-name": "Claire Martin",
        "auditors-0-firm": "Cabinet Vérif",
        "auditors-0-reference": "CV-1",
        "auditors-0-email": "claire@verif.example",
        "auditors-0-nda": (io.BytesIO(b"%PDF signed"), "../../etc/accord signé.pdf"),
    }
    values.update(over)
    return values


def test_nav_link_and_list_per_role(client, login_as, people, requested, make_user, other_town):
    login_as(people.controller_dpo)
    body = client.get("/audits/").get_data(as_text=True)
    assert 'href="/audits/"' in body and requested.reference in body
    assert client.get("/audits/?state=closed").get_data(as_text=True).count('class="audit"') == 0
    login_as(make_user("controller_dpo", other_town))
    assert requested.reference not in client.get("/audits/").get_data(as_text=True)
    login_as(make_user("support"))
    assert requested.reference in client.get("/audits/").get_data(as_text=True)


def test_the_form_shows_every_violation_at_once_with_the_allowed_dates(
    client, login_as, people, app
):
    app.config["RGPD_AUDIT_COMPETITORS"] = "Cabinet Vérif"
    login_as(people.controller_dpo)
    answer = client.post(
        "/audits/new",
        data=form(
            **{
                "start_on": "2026-03-31",
                "period_to": "",
                "auditors-0-nda": (io.BytesIO(b""), ""),
                "auditors-1-name": "Paul",
                "auditors-1-firm": "Autre",
            }
        ),
        content_type="multipart/form-data",
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400
    for code in (
        "notice_too_late",
        "period_to_missing",
        "auditor_competitor",
        "auditor_nda_missing",
        "auditor_reference_missing",
    ):
        assert f'data-code="{code}"' in body
    assert 'id="earliest-start"' in body and "02/04/2026" in body
    assert 'id="auditors-1-reference"' in body  # the second fieldset is shown again
    assert db.session.scalar(select(AuditRequest)) is None


def test_a_valid_notice_is_recorded_with_the_file_under_a_server_name(
    client, login_as, people, app
):
    login_as(people.controller_dpo)
    answer = client.post("/audits/new", data=form(), content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    item = db.session.scalar(select(AuditRequest))
    document = item.documents[0]
    assert document.original_filename == "accord signé.pdf"
    assert len(document.storage_name) == 32 and "/" not in document.storage_name
    page = client.get(answer.location).get_data(as_text=True)
    assert 'id="clock-refusal"' in page
    assert "mardi 17 mars 2026 à 24:00" in page and "Détail du calcul" in page
    download = client.get(f"/audits/{item.id}/documents/{document.id}")
    assert download.data == b"%PDF signed"
    download.close()


def test_add_auditor_button_adds_a_fieldset(client, login_as, people):
    login_as(people.controller_dpo)
    body = client.post("/audits/new", data={"add_auditor": "1", "auditors-0-name": "A"}).get_data(
        as_text=True
    )
    assert 'id="auditors-1-name"' in body and "Le formulaire contient" not in body


def test_processor_dpo_accepts_and_sees_the_auditor_password_once(
    client, login_as, people, requested
):
    login_as(people.processor_dpo)
    page = client.get(f"/audits/{requested.id}").get_data(as_text=True)
    assert "Accepter l'audit" in page
    answer = client.post(f"/audits/{requested.id}/accept", data={"version": requested.version})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="auditor-accounts"' in body
    assert "auditeur0@verif.example" in body
    assert 'id="auditor-accounts"' not in client.get(f"/audits/{requested.id}").get_data(
        as_text=True
    )


def test_refusal_after_the_window_is_flashed_and_nothing_changes(
    client, login_as, people, requested, clock
):
    clock.set(datetime(2026, 3, 17, 23, 0, tzinfo=UTC))
    login_as(people.processor_dpo)
    answer = client.post(
        f"/audits/{requested.id}/refuse", data={"reason": "Conflit"}, follow_redirects=True
    )
    assert "a expiré le mardi 17 mars 2026" in answer.get_data(as_text=True)
    assert db.session.get(AuditRequest, requested.id).state == "requested"


def test_billing_csv_and_pdf_from_the_page(client, login_as, people, requested, make_user):
    login_as(make_user("support"))
    answer = client.post(
        f"/audits/{requested.id}/time",
        data={"worked_on": "2026-03-02", "minutes": "45", "description": "Réunion de cadrage"},
    )
    assert answer.status_code == 302
    login_as(people.processor_dpo)
    csv = client.get(f"/audits/{requested.id}/billing.csv")
    assert csv.status_code == 200 and "Réunion de cadrage" in csv.get_data(as_text=True)
    pdf = client.get(f"/audits/{requested.id}/billing.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        ("admin", "get", "/audits/", 403),
        ("admin", "get", "/audits/{id}", 403),
        ("instructor", "get", "/audits/{id}", 403),
        ("support", "get", "/audits/new", 403),
        ("support", "post", "/audits/{id}/accept", 403),
        ("controller_dpo", "post", "/audits/{id}/accept", 403),
        ("controller_dpo", "post", "/audits/{id}/refuse", 403),
        ("processor_dpo", "post", "/audits/{id}/firm", 403),
        ("controller_dpo", "post", "/audits/{id}/time", 403),
        ("security_officer", "get", "/audits/{id}/billing.csv", 403),
    ],
)
def test_refused_roles(client, login_as, requested, make_user, role, method, path, status):
    org = requested.organisation if role in ("instructor", "controller_dpo") else None
    login_as(make_user(role, org))
    answer = getattr(client, method)(path.format(id=requested.id))
    assert answer.status_code == status


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/audits/{id}"),
        ("post", "/audits/{id}/step/cancel"),
        ("post", "/audits/{id}/report"),
        ("get", "/audits/{id}/billing.csv"),
        ("get", "/audits/{id}/documents/1"),
    ],
)
def test_foreign_municipality_gets_404(
    client, login_as, requested, make_user, other_town, method, path
):
    login_as(make_user("controller_dpo", other_town))
    answer = getattr(client, method)(path.format(id=requested.id))
    assert answer.status_code == 404


def test_an_expired_auditor_no_longer_sees_the_audit(client, login_as, people, requested, clock):
    from rgpd_app.audits import decisions

    decisions.accept(requested.id, actor=people.actor(people.processor_dpo), now=clock())
    auditor = requested.auditors[0]
    from rgpd_app.accounts.models import User

    user = db.session.get(User, auditor.user_id)
    clock.set(datetime(2026, 4, 2, 8, 0, tzinfo=UTC))
    login_as(user)
    assert client.get(f"/audits/{requested.id}").status_code == 200
    clock.set(datetime(2026, 5, 4, 8, 0, tzinfo=UTC))  # no report: the announced end + 30 days
    login_as(user)
    assert client.get(f"/audits/{requested.id}").status_code == 403
