"""The administration page of an organisation's identity provider (issue 20, points 2 and 5)."""

import json

import pytest
from sqlalchemy import select, text

from rgpd_app.accounts.oidc.models import OidcProvider
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry

FORM = {
    "kind": "proconnect",
    "label": "ProConnect",
    "issuer": "https://auth.example.gouv.fr/api/v2",
    "client_id": "rgpd-app",
    "client_secret": "un-secret-de-client-tres-long-0123456789",
    "scopes": "openid email given_name usual_name siret",
    "mfa_acr_values": "eidas2 eidas3",
    "is_enabled": "on",
}


def _row(org):
    return db.session.scalar(select(OidcProvider).where(OidcProvider.organisation_id == org.id))


def test_the_page_proposes_proconnect_for_a_municipality(client, login_as, make_org):
    town = make_org("Commune de Vitré")
    login_as("admin")

    page = client.get(f"/organisations/{town.id}/oidc")

    assert page.status_code == 200
    assert 'value="openid email given_name usual_name siret uid"' in page.text
    assert 'value="eidas2 eidas3"' in page.text
    assert "http://127.0.0.1:5000/login/oidc/callback" in page.text


def test_an_administrator_saves_the_provider_with_its_secret_encrypted(client, login_as, make_org):
    town = make_org("Commune de Vitré")
    login_as("admin")

    answer = client.post(f"/organisations/{town.id}/oidc", data=FORM)

    assert answer.status_code == 302
    row = _row(town)
    assert (row.kind, row.client_id, row.client_secret) == (
        "proconnect",
        "rgpd-app",
        FORM["client_secret"],
    )
    stored = db.session.execute(
        text("SELECT client_secret FROM oidc_provider WHERE id = :id"), {"id": row.id}
    ).scalar()
    assert FORM["client_secret"] not in stored
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "organisation.oidc_updated")
    ).one()
    assert FORM["client_secret"] not in entry.details
    assert json.loads(entry.details)["secret_changed"] is True


def test_a_blank_secret_keeps_the_saved_one(client, login_as, make_org):
    town = make_org("Commune de Vitré")
    login_as("admin")
    client.post(f"/organisations/{town.id}/oidc", data=FORM)

    client.post(f"/organisations/{town.id}/oidc", data=FORM | {"client_secret": "", "label": "PC"})

    db.session.expire_all()
    assert (_row(town).label, _row(town).client_secret) == ("PC", FORM["client_secret"])


@pytest.mark.parametrize("role", ["processor_dpo", "security_officer", "support"])
def test_only_an_administrator_configures_a_provider(client, login_as, make_org, role):
    town = make_org("Commune de Vitré")
    login_as(role)

    assert client.get(f"/organisations/{town.id}/oidc").status_code == 403
    assert client.post(f"/organisations/{town.id}/oidc", data=FORM).status_code == 403
    assert _row(town) is None


def test_a_municipal_dpo_cannot_configure_its_own_provider(client, login_as, make_org):
    town = make_org("Commune de Vitré")
    login_as("controller_dpo", town)

    assert client.post(f"/organisations/{town.id}/oidc", data=FORM).status_code == 403


def test_mandatory_oidc_needs_a_break_glass_account_with_totp(
    client, login_as, make_user, processor
):
    login_as("admin")
    glass = make_user("admin", email="secours@logiciels.example")
    data = FORM | {"kind": "generic", "is_required": "on"}

    without = client.post(f"/organisations/{processor.id}/oidc", data=data)
    no_totp = client.post(
        f"/organisations/{processor.id}/oidc", data=data | {"break_glass_email": glass.email}
    )

    assert without.status_code == 400 and "Désignez un compte de secours" in without.text
    assert no_totp.status_code == 400 and "double authentification activée" in no_totp.text
    assert _row(processor) is None


def test_the_break_glass_account_is_saved(client, login_as, make_user, processor):
    login_as("admin")
    glass = make_user("admin", email="secours2@logiciels.example", totp=True)

    answer = client.post(
        f"/organisations/{processor.id}/oidc",
        data=FORM | {"kind": "generic", "is_required": "on", "break_glass_email": glass.email},
    )

    assert answer.status_code == 302
    assert (_row(processor).is_required, _row(processor).break_glass_user_id) == (True, glass.id)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuer", "http://auth.example.gouv.fr"),
        ("issuer", "https://auth.example.gouv.fr/?x=1"),
        ("scopes", "email profile"),
        ("kind", "saml"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(client, login_as, make_org, field, value):
    town = make_org("Commune de Vitré")
    login_as("admin")

    answer = client.post(f"/organisations/{town.id}/oidc", data=FORM | {field: value})

    assert answer.status_code == 400 and f'href="#{field}"' in answer.text
    assert _row(town) is None


def test_the_first_save_needs_a_secret(client, login_as, make_org):
    town = make_org("Commune de Vitré")
    login_as("admin")

    answer = client.post(f"/organisations/{town.id}/oidc", data=FORM | {"client_secret": ""})

    assert answer.status_code == 400 and "Le secret du client est obligatoire" in answer.text
