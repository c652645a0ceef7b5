"""The pure rules of the OpenID Connect sign-in (rgpd_app.accounts.oidc.rules)."""

import pytest

from rgpd_app.accounts.oidc import rules

NOW = 1_800_000_000.0
GOOD = {
    "iss": "https://auth.example.gouv.fr/api/v2",
    "aud": "rgpd-app",
    "exp": NOW + 60,
    "iat": NOW - 5,
    "nonce": "n-123",
    "sub": "abc",
}


def problems(**changes):
    claims = {k: v for k, v in (GOOD | changes).items() if v is not None}
    return rules.id_token_problems(
        claims, issuer=GOOD["iss"], client_id="rgpd-app", nonce="n-123", now=NOW, leeway=60
    )


def test_a_valid_id_token_has_no_problem():
    assert problems() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"iss": "https://other.example"}, ["iss"]),
        ({"aud": "another-service"}, ["aud"]),
        ({"aud": ["rgpd-app", "another-service"]}, ["azp"]),
        ({"exp": NOW - 61}, ["exp"]),
        ({"iat": NOW + 61}, ["iat"]),
        ({"nonce": "replayed"}, ["nonce"]),
        ({"nonce": None}, ["nonce"]),
        ({"sub": None}, ["sub"]),
    ],
)
def test_each_wrong_claim_is_named(changes, expected):
    assert problems(**changes) == expected


def test_an_expiry_within_the_leeway_is_accepted():
    assert problems(exp=NOW - 59) == []


def test_several_audiences_need_our_client_as_authorised_party():
    assert problems(aud=["rgpd-app", "another-service"], azp="rgpd-app") == []


def test_the_siren_is_the_first_nine_digits_of_the_siret():
    assert rules.siren_of_siret("213502388 00019") == "213502388"
    assert rules.siren_of_siret("21350238800019") == "213502388"


@pytest.mark.parametrize("siret", ["", None, "213502388", "2135023880001X", "213502388000190"])
def test_what_is_no_siret_names_no_siren(siret):
    assert rules.siren_of_siret(siret) is None


def test_proconnect_eidas2_asserts_mfa_but_eidas1_does_not():
    acr = rules.values(rules.PROCONNECT_MFA_ACR)
    assert rules.mfa_asserted({"acr": "eidas2"}, acr_values=acr, amr_values=())
    assert not rules.mfa_asserted({"acr": "eidas1"}, acr_values=acr, amr_values=())


def test_an_amr_naming_mfa_asserts_it_and_nothing_configured_never_does():
    assert rules.mfa_asserted({"amr": ["pwd", "mfa"]}, acr_values=(), amr_values=("mfa",))
    assert not rules.mfa_asserted({"amr": ["pwd"]}, acr_values=(), amr_values=("mfa",))
    assert not rules.mfa_asserted({"acr": "eidas3", "amr": ["mfa"]}, acr_values=(), amr_values=())


def test_the_claims_request_asks_acr_and_amr_only_when_configured():
    assert rules.mfa_claims_request(acr_values=(), amr_values=()) is None
    assert rules.mfa_claims_request(acr_values=("eidas2",), amr_values=("mfa",)) == {
        "id_token": {"acr": {"essential": False, "values": ["eidas2"]}, "amr": None}
    }


def test_proconnect_sends_no_email_verified_but_a_false_one_is_never_trusted():
    assert rules.email_is_verified({"email": "a@b.fr"}, rules.PROCONNECT)
    assert not rules.email_is_verified({"email": "a@b.fr"}, rules.GENERIC)
    assert not rules.email_is_verified(
        {"email": "a@b.fr", "email_verified": False}, rules.PROCONNECT
    )
    assert rules.email_is_verified({"email": "a@b.fr", "email_verified": True}, rules.GENERIC)


def test_mandatory_oidc_leaves_a_password_only_to_the_break_glass_account_with_totp():
    assert not rules.password_refused(is_oidc_required=False, is_break_glass=False, has_totp=False)
    assert rules.password_refused(is_oidc_required=True, is_break_glass=False, has_totp=True)
    assert rules.password_refused(is_oidc_required=True, is_break_glass=True, has_totp=False)
    assert not rules.password_refused(is_oidc_required=True, is_break_glass=True, has_totp=True)


def test_mandatory_oidc_needs_a_break_glass_account_with_two_factors():
    assert "break_glass_email" in rules.settings_problems(
        kind=rules.GENERIC, is_required=True, break_glass_found=None, break_glass_has_totp=False
    )
    assert "break_glass_email" in rules.settings_problems(
        kind=rules.GENERIC, is_required=True, break_glass_found=True, break_glass_has_totp=False
    )
    assert (
        rules.settings_problems(
            kind=rules.GENERIC, is_required=True, break_glass_found=True, break_glass_has_totp=True
        )
        == {}
    )


def test_values_are_split_on_spaces_without_repeats():
    assert rules.values(" eidas2  eidas3 eidas2 ") == ("eidas2", "eidas3")
    assert rules.values(None) == ()
