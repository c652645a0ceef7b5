"""Sign-in with OpenID Connect against a real provider (npm oidc-provider) on loopback: the
Authorization Code flow with PKCE, state and nonce, ID token checks, account matching,
ProConnect's SIRET, strong authentication and logout (issue 20)."""

import html
import json
from datetime import UTC, datetime
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import func, select

from rgpd_app.accounts.models import User
from rgpd_app.accounts.oidc.models import OidcIdentity, OidcProvider
from rgpd_app.accounts.oidc.rules import GENERIC, PROCONNECT
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from tests.conftest import PASSWORD
from tests.oidc_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    callback_path,
)

pytestmark = pytest.mark.usefixtures("real_time")
_subs = count(1)


@pytest.fixture
def real_time(clock):
    # The provider signs with the real clock; the app's clock starts there (and tests move it).
    clock.set(datetime.now(UTC).replace(microsecond=0))


def _provider_row(org, issuer, *, kind, **extra):
    row = OidcProvider(
        organisation=org,
        kind=kind,
        label="ProConnect" if kind == PROCONNECT else "SSO Logiciels Publics",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes="openid email given_name usual_name siret"
        if kind == PROCONNECT
        else "openid email profile",
        mfa_acr_values="eidas2 eidas3" if kind == PROCONNECT else "",
        mfa_amr_values="" if kind == PROCONNECT else "mfa",
        is_enabled=True,
        updated_at=datetime.now(UTC),
        **extra,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def town(make_org, openid_provider):
    org = make_org("Commune de Vitré")
    _provider_row(org, openid_provider.issuer, kind=PROCONNECT)
    return org


@pytest.fixture
def processor_sso(processor, openid_provider):
    return _provider_row(processor, openid_provider.issuer, kind=GENERIC)


def _row(org) -> OidcProvider:
    return db.session.scalar(select(OidcProvider).where(OidcProvider.organisation_id == org.id))


def _siret(org) -> str:
    return org.siren + "00017"


def _account(openid_provider, email, *, org=None, verified=True, **extra):
    sub = f"agent-{next(_subs)}"
    claims = {"email": email, "email_verified": verified, **extra}
    if org is not None:
        claims.setdefault("siret", _siret(org))
    return openid_provider.add_account(sub, **claims)


def _begin(client, row):
    answer = client.get(f"/login/oidc/{row.id}")
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def _sign_in(client, openid_provider, row, login):
    """Start at our app, sign in at the provider, come back: our callback's answer."""
    back = openid_provider.sign_in(_begin(client, row), login)
    return client.get(callback_path(back))


def _text(answer) -> str:
    return html.unescape(answer.text)


def _journal(action):
    return db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == action).order_by(JournalEntry.id)
    ).all()


def _signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def test_authorization_request_uses_pkce_state_and_nonce(client, town, openid_provider):
    url = _begin(client, _row(town))
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(openid_provider.issuer + "/auth")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://127.0.0.1:5000/login/oidc/callback"]
    assert json.loads(query["claims"][0])["id_token"]["acr"]["values"] == ["eidas2", "eidas3"]


def test_municipal_dpo_signs_in_with_proconnect_and_the_subject_is_linked(
    client, make_user, town, openid_provider
):
    dpo = make_user("controller_dpo", town, email="dpo@vitre.example")
    login = _account(openid_provider, "DPO@vitre.example", org=town, acr="eidas1")
    row = _row(town)

    answer = _sign_in(client, openid_provider, row, login)

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/dashboard")
    assert _signed_in(client)
    identity = db.session.scalar(select(OidcIdentity).where(OidcIdentity.user_id == dpo.id))
    assert (identity.issuer, identity.subject) == (openid_provider.issuer, login)
    (linked,) = _journal("account.oidc_linked")
    assert linked.user_id == dpo.id
    success = json.loads(_journal("login.success")[-1].details)
    assert success["method"] == "oidc" and success["acr"] == "eidas1"


def test_a_linked_subject_signs_in_even_after_its_email_changed(
    client, app, make_user, town, openid_provider
):
    dpo = make_user("controller_dpo", town, email="dpo2@vitre.example")
    login = _account(openid_provider, dpo.email, org=town)
    row = _row(town)
    _sign_in(client, openid_provider, row, login)
    client.post("/logout")
    openid_provider.add_account(login, email="nouvelle@vitre.example", siret=_siret(town))

    answer = _sign_in(app.test_client(), openid_provider, row, login)

    assert answer.status_code == 302
    assert len(_journal("account.oidc_linked")) == 1  # matched by subject, not linked again


def test_a_wrong_state_is_refused_without_a_session(client, make_user, town, openid_provider):
    make_user("controller_dpo", town, email="dpo3@vitre.example")
    login = _account(openid_provider, "dpo3@vitre.example", org=town)
    row = _row(town)
    back = openid_provider.sign_in(_begin(client, row), login)

    answer = client.get(callback_path(back).replace("state=", "state=x"))

    assert answer.status_code == 403
    assert "ne correspond à aucune connexion en cours" in _text(answer)
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "state"
    assert not _signed_in(client)


def test_a_replayed_code_is_refused(app, client, make_user, town, openid_provider):
    make_user("controller_dpo", town, email="dpo4@vitre.example")
    login = _account(openid_provider, "dpo4@vitre.example", org=town)
    row = _row(town)
    back = openid_provider.sign_in(_begin(client, row), login)
    cookie = client.get_cookie("session").value  # the session as it was before the answer
    assert client.get(callback_path(back)).status_code == 302
    client.post("/logout")

    again = client.get(callback_path(back))  # same browser: that sign-in is over
    thief = app.test_client()  # a copy of the earlier cookie: the provider refuses the code
    thief.set_cookie("session", cookie, domain="localhost")
    stolen = thief.get(callback_path(back))

    assert again.status_code == 403 and stolen.status_code == 403
    reasons = [json.loads(e.details)["reason"] for e in _journal("login.oidc_refused")]
    assert reasons == ["state", "token"]
    assert "code déjà utilisé ou expiré" in _text(stolen)
    assert not _signed_in(thief)


@pytest.mark.parametrize(
    ("claims", "problem"),
    [({"nonce": "rejoue"}, "nonce"), ({"aud": OTHER_CLIENT_ID}, "aud"), ({"iss": "x"}, "iss")],
)
def test_an_id_token_with_a_wrong_claim_is_refused(
    client, make_user, town, openid_provider, claims, problem
):
    make_user("controller_dpo", town, email=f"dpo-{problem}@vitre.example")
    login = _account(openid_provider, f"dpo-{problem}@vitre.example", org=town)
    row = _row(town)
    back = openid_provider.sign_in(_begin(client, row), login)
    openid_provider.fault(**claims)

    answer = client.get(callback_path(back))

    assert answer.status_code == 403
    assert "La preuve d'identité reçue du fournisseur n'est pas valable" in _text(answer)
    refused = json.loads(_journal("login.oidc_refused")[-1].details)
    assert refused["reason"] == "id_token" and problem in refused["detail"].split()
    assert not _signed_in(client)
    assert not _journal("account.oidc_linked")


def test_an_expired_id_token_is_refused(client, clock, make_user, town, openid_provider):
    make_user("controller_dpo", town, email="dpo5@vitre.example")
    login = _account(openid_provider, "dpo5@vitre.example", org=town)
    row = _row(town)
    back = openid_provider.sign_in(_begin(client, row), login)
    clock.advance(seconds=60 + 90)  # past the ID token TTL (60 s) and the leeway (60 s)

    answer = client.get(callback_path(back))

    assert answer.status_code == 403
    assert "exp" in json.loads(_journal("login.oidc_refused")[-1].details)["detail"].split()


def test_an_id_token_for_our_client_id_but_another_configuration_is_refused(
    client, make_user, town, openid_provider
):
    """Our app configured with another client id: the token the provider issues names us
    nowhere, so its audience is refused (here the code exchange already fails)."""
    make_user("controller_dpo", town, email="dpo6@vitre.example")
    login = _account(openid_provider, "dpo6@vitre.example", org=town)
    row = _row(town)
    back = openid_provider.sign_in(_begin(client, row), login)
    row.client_id = OTHER_CLIENT_ID
    db.session.commit()

    answer = client.get(callback_path(back))

    assert answer.status_code == 403
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] in ("token", "id_token")


def test_the_siret_of_another_municipality_is_refused(
    client, make_org, make_user, town, openid_provider
):
    other = make_org("Commune de Fougères")
    make_user("controller_dpo", town, email="dpo7@vitre.example")
    login = _account(openid_provider, "dpo7@vitre.example", org=other)
    row = _row(town)

    answer = _sign_in(client, openid_provider, row, login)

    assert answer.status_code == 403
    assert f"SIRET {_siret(other)}" in _text(answer)
    refused = json.loads(_journal("login.oidc_refused")[-1].details)
    assert refused["reason"] == "siret" and refused["subject"] == login
    assert not _signed_in(client)
    assert db.session.scalar(select(func.count()).select_from(OidcIdentity)) == 0


def test_an_unknown_email_is_refused_and_nothing_is_created(
    client, make_user, town, openid_provider
):
    town.dpo_name, town.dpo_email = "Camille Martin", "dpo@vitre.example"
    db.session.commit()
    users = db.session.scalar(select(func.count()).select_from(User))
    login = _account(openid_provider, "inconnu@vitre.example", org=town)
    row = _row(town)

    answer = _sign_in(client, openid_provider, row, login)

    assert answer.status_code == 403
    assert "Aucun compte n'existe pour inconnu@vitre.example" in _text(answer)
    assert "Le DPO de votre collectivité ou un administrateur de Logiciels Publics" in _text(answer)
    assert "Camille Martin" in _text(answer)
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "unknown_account"


def test_an_unverified_email_is_not_linked(client, make_user, processor_sso, openid_provider):
    make_user("support", email="support@logiciels.example", totp=True)
    login = _account(openid_provider, "support@logiciels.example", verified=False)

    answer = _sign_in(client, openid_provider, processor_sso, login)

    assert answer.status_code == 403
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "email_unverified"


def test_first_sign_in_may_create_an_account_without_any_role(client, town, openid_provider):
    row = _row(town)
    row.is_account_creation_allowed = True
    db.session.commit()
    login = _account(
        openid_provider, "nouvel.agent@vitre.example", org=town, given_name="Léa", usual_name="Roy"
    )

    answer = _sign_in(client, openid_provider, row, login)

    assert answer.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nouvel.agent@vitre.example"))
    assert user.organisation_id == town.id and user.name == "Léa Roy"
    assert user.grants == []
    created = json.loads(_journal("user.created")[-1].details)
    assert created == {"email": user.email, "roles": [], "via": "oidc"}


def test_processor_staff_without_mfa_at_the_provider_gets_the_totp_step(
    client, make_user, processor_sso, openid_provider
):
    staff = make_user("support", email="agent.support@logiciels.example", totp=True)
    login = _account(openid_provider, staff.email, amr=["pwd"])

    answer = _sign_in(client, openid_provider, processor_sso, login)

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
    assert not _signed_in(client)
    code = pyotp.TOTP(staff.totp_secret).now()
    done = client.post("/login/code", data={"code": code})
    assert done.status_code == 302 and done.headers["Location"].endswith("/dashboard")
    assert _signed_in(client)
    assert json.loads(_journal("login.success")[-1].details)["mfa"] == "totp"


def test_processor_staff_with_mfa_asserted_by_the_provider_skips_the_totp_step(
    client, make_user, processor_sso, openid_provider
):
    staff = make_user("processor_dpo", email="dpo.processor@logiciels.example")
    login = _account(openid_provider, staff.email, amr=["pwd", "mfa"])

    answer = _sign_in(client, openid_provider, processor_sso, login)

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/dashboard")
    assert json.loads(_journal("login.success")[-1].details)["mfa"] == "provider"


def test_processor_staff_without_totp_nor_mfa_must_enrol(
    client, make_user, processor_sso, openid_provider
):
    staff = make_user("security_officer", email="rssi@logiciels.example")
    login = _account(openid_provider, staff.email)

    answer = _sign_in(client, openid_provider, processor_sso, login)

    assert answer.headers["Location"].endswith("/login/enrol")
    assert not _signed_in(client)


def test_logout_ends_the_provider_session_too(client, make_user, town, openid_provider):
    make_user("controller_dpo", town, email="dpo8@vitre.example")
    login = _account(openid_provider, "dpo8@vitre.example", org=town)
    row = _row(town)
    _sign_in(client, openid_provider, row, login)

    answer = client.post("/logout")

    target = urlsplit(answer.headers["Location"])
    query = parse_qs(target.query)
    assert (
        f"{target.scheme}://{target.netloc}{target.path}" == f"{openid_provider.issuer}/session/end"
    )
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:5000/login"]
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"][0].count(".") == 2
    assert not _signed_in(client)
    assert json.loads(_journal("logout")[-1].details) == {"provider_logout": True}


def test_the_oidc_session_follows_the_password_session_rules(
    client, clock, make_user, town, openid_provider
):
    make_user("controller_dpo", town, email="dpo9@vitre.example")
    login = _account(openid_provider, "dpo9@vitre.example", org=town)
    row = _row(town)
    _sign_in(client, openid_provider, row, login)
    clock.advance(minutes=31)

    answer = client.get("/dashboard")

    assert answer.status_code == 302 and "expired=1" in answer.headers["Location"]


def test_an_organisation_can_make_oidc_mandatory_but_for_its_break_glass_account(
    client, make_user, processor, processor_sso
):
    admin = make_user("admin", email="secours@logiciels.example", totp=True)
    staff = make_user("support", email="tech@logiciels.example", totp=True)
    processor_sso.is_required = True
    processor_sso.break_glass_user_id = admin.id
    db.session.commit()

    refused = client.post("/login", data={"email": staff.email, "password": PASSWORD})
    allowed = client.post("/login", data={"email": admin.email, "password": PASSWORD})

    assert refused.status_code == 401
    assert "Votre organisation impose la connexion par son fournisseur" in _text(refused)
    assert allowed.status_code == 302 and allowed.headers["Location"].endswith("/login/code")
    assert [e.user_id for e in _journal("login.refused_oidc_required")] == [staff.id]


def test_the_login_page_offers_proconnect_once_for_all_municipalities(
    client, make_org, town, processor_sso, openid_provider
):
    _provider_row(make_org("Commune de Rennes"), openid_provider.issuer, kind=PROCONNECT)

    page = client.get("/login").text

    assert page.count("Se connecter avec ProConnect") == 1
    assert "Se connecter avec SSO Logiciels Publics" in page


def test_the_settings_provider_serves_the_processor_without_a_row(
    app, client, make_user, processor, openid_provider
):
    app.config.update(
        OIDC_ISSUER=openid_provider.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_LABEL="SSO interne",
    )
    staff = make_user("processor_dpo", email="env.dpo@logiciels.example")
    login = _account(openid_provider, staff.email, amr=["mfa"])
    assert "Se connecter avec SSO interne" in client.get("/login").text

    back = openid_provider.sign_in(client.get("/login/oidc/0").headers["Location"], login)
    answer = client.get(callback_path(back))

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/dashboard")


def test_a_provider_that_does_not_answer_is_a_clear_refusal(client, make_org):
    org = make_org("Commune de Laval")
    row = _provider_row(org, "http://127.0.0.1:9/", kind=PROCONNECT)

    answer = client.get(f"/login/oidc/{row.id}")

    assert answer.status_code == 403
    assert "Le fournisseur d'identité ne répond pas" in _text(answer)
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "unavailable"


def test_a_pending_sign_in_expires(client, clock, make_user, town, openid_provider):
    make_user("controller_dpo", town, email="dpo10@vitre.example")
    login = _account(openid_provider, "dpo10@vitre.example", org=town)
    row = _row(town)
    back = openid_provider.sign_in(_begin(client, row), login)
    clock.advance(minutes=11)

    assert client.get(callback_path(back)).status_code == 403
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "state"


def test_the_provider_reported_error_is_refused(client, town):
    row = _row(town)
    state = parse_qs(urlsplit(_begin(client, row)).query)["state"][0]

    answer = client.get(f"/login/oidc/callback?error=access_denied&state={state}")

    assert answer.status_code == 403
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "provider_error"


def test_the_logout_form_may_go_on_to_the_provider_and_nowhere_else(
    client, make_user, town, openid_provider
):
    make_user("controller_dpo", town, email="dpo11@vitre.example")
    login = _account(openid_provider, "dpo11@vitre.example", org=town)
    before = client.get("/login").headers["Content-Security-Policy"]
    _sign_in(client, openid_provider, _row(town), login)

    after = client.get("/dashboard").headers["Content-Security-Policy"]

    assert "form-action 'self';" in before
    assert f"form-action 'self' {openid_provider.issuer};" in after


def _confirm_at_provider(client, openid_provider, login):
    page = client.get("/account/confirm?next=/account/tokens")
    assert "Confirmer auprès du fournisseur d'identité" in _text(page)
    start = client.get(f"/login/oidc/{_row_id(page)}?confirm=1&next=/account/tokens")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert (query["prompt"], query["max_age"]) == (["login"], ["0"])
    return client.get(callback_path(openid_provider.sign_in(start.headers["Location"], login)))


def _forget_confirmation(client):
    # As RGPD_REAUTH_MINUTES later (the provider's tokens follow the real clock, not ours).
    with client.session_transaction() as sess:
        sess.pop("confirmed_at")


def _row_id(page) -> int:
    return int(page.text.split("/login/oidc/", 1)[1].split("?", 1)[0])


def test_a_person_signed_in_through_the_provider_confirms_their_identity_there(
    client, make_user, town, openid_provider
):
    make_user("controller_dpo", town, email="dpo12@vitre.example")
    login = _account(openid_provider, "dpo12@vitre.example", org=town)
    _sign_in(client, openid_provider, _row(town), login)
    _forget_confirmation(client)
    assert "/account/confirm" in client.post("/account/tokens", data={"label": "x"}).location

    answer = _confirm_at_provider(client, openid_provider, login)

    assert answer.status_code == 302, _journal("login.oidc_refused")[-1].details
    assert answer.location.endswith("/account/tokens")
    assert client.post("/account/tokens", data={"label": "x"}).status_code == 200
    assert json.loads(_journal("reauth.confirmed")[-1].details) == {"method": "oidc"}


def test_a_confirmation_by_another_person_at_the_provider_is_refused(
    client, make_user, town, openid_provider
):
    make_user("controller_dpo", town, email="dpo13@vitre.example")
    make_user("instructor", town, email="instructeur@vitre.example")
    login = _account(openid_provider, "dpo13@vitre.example", org=town)
    other = _account(openid_provider, "instructeur@vitre.example", org=town)
    _sign_in(client, openid_provider, _row(town), login)
    _forget_confirmation(client)

    answer = _confirm_at_provider(client, openid_provider, other)

    assert answer.status_code == 403
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "confirm_other"
    assert "/account/confirm" in client.post("/account/tokens", data={"label": "x"}).location


def test_a_disabled_account_is_refused_at_the_provider_door(
    client, make_user, town, openid_provider
):
    dpo = make_user("controller_dpo", town, email="dpo14@vitre.example")
    dpo.is_enabled = False
    db.session.commit()
    login = _account(openid_provider, dpo.email, org=town)

    answer = _sign_in(client, openid_provider, _row(town), login)

    assert answer.status_code == 403 and "Ce compte est désactivé." in _text(answer)
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "disabled"
    assert not _signed_in(client)


def test_a_confirmation_without_two_factors_is_refused_for_processor_staff(
    client, make_user, processor_sso, openid_provider
):
    staff = make_user("support", email="support2@logiciels.example", totp=True)
    login = _account(openid_provider, staff.email, amr=["pwd"])
    _sign_in(client, openid_provider, processor_sso, login)
    client.post("/login/code", data={"code": pyotp.TOTP(staff.totp_secret).now()})
    _forget_confirmation(client)

    answer = _confirm_at_provider(client, openid_provider, login)

    assert answer.status_code == 403
    assert json.loads(_journal("login.oidc_refused")[-1].details)["reason"] == "confirm_weak"
    assert _signed_in(client)
