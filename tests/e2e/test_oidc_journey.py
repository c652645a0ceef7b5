"""The municipality's DPO signs in through the OpenID provider's own login page (ProConnect's
place, played by npm oidc-provider on loopback), then logs out of both (issue 20)."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.oidc_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    provider_config,
    start_provider,
    stop_provider,
)


@pytest.fixture(scope="module")
def proconnect(live_server, tmp_path_factory):
    """A provider sending the browser back to the live server, ProConnect for one town."""
    from rgpd_app.accounts.oidc.models import OidcProvider
    from rgpd_app.extensions import db
    from rgpd_app.organisations.models import Organisation

    provider = start_provider(
        tmp_path_factory.mktemp("oidc-e2e"),
        provider_config([f"{live_server.url}/login/oidc/callback"], [f"{live_server.url}/login"]),
    )
    town_id = live_server.make_org("Commune de Vitré")
    app = live_server.app
    base_url = app.config["BASE_URL"]
    app.config["BASE_URL"] = live_server.url
    with app.app_context():
        row = OidcProvider(
            organisation=db.session.get(Organisation, town_id),
            kind="proconnect",
            label="ProConnect",
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            scopes="openid email given_name usual_name siret",
            mfa_acr_values="eidas2 eidas3",
            updated_at=datetime.now(UTC),
        )
        db.session.add(row)
        db.session.commit()
        siren = row.organisation.siren
        row_id = row.id
    yield provider, town_id, siren
    with app.app_context():
        db.session.delete(db.session.get(OidcProvider, row_id))
        db.session.commit()
    app.config["BASE_URL"] = base_url
    stop_provider(provider)


def test_municipal_dpo_signs_in_with_proconnect_and_logs_out_of_both(page, live_server, proconnect):
    provider, town_id, siren = proconnect
    email = live_server.make_user(
        "controller_dpo", town_id, name="Camille Martin", password="Vaste-plaine-sous-la-neige-42"
    )
    provider.add_account(
        "camille", email=email, siret=f"{siren}00017", given_name="Camille", acr="eidas1"
    )

    page.goto("/login")
    page.get_by_role("link", name="Se connecter avec ProConnect").click()

    expect(page.get_by_label("Identifiant")).to_be_visible()
    assert page.url.startswith(f"{provider.issuer}/interaction/")
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_role("button", name="Continuer").click()

    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.locator("header .me")).to_contain_text("Camille Martin")
    expect(page.locator(".lead .roles")).to_have_text("DPO de la collectivité")

    page.click("button:has-text('Se déconnecter')")
    page.wait_for_url(f"{provider.issuer}/session/end**")
    page.locator("button[type=submit]").first.click()  # the provider asks to confirm
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator(".flash.info")).to_have_text("Vous êtes déconnecté.")
    page.goto("/dashboard")
    expect(page).to_have_url(f"{live_server.url}/login?next=%2Fdashboard")
