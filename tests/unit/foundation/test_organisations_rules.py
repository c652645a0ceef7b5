import pytest

from rgpd_app.organisations.rules import departement_is_valid, siren_is_valid


@pytest.mark.parametrize("siren", ["215704636", "213502388", "216800664", "452109861"])
def test_real_sirens_pass_the_luhn_check(siren):
    assert siren_is_valid(siren)


@pytest.mark.parametrize("siren", ["215704637", "21570463", "2157046361", "21570463a", "", None])
def test_wrong_sirens_are_refused(siren):
    assert not siren_is_valid(siren)


@pytest.mark.parametrize(
    "code,ok",
    [
        ("57", True),
        ("2A", True),
        ("974", True),
        ("20", False),
        ("96", False),
        ("00", False),
        ("975", False),
        ("977", False),
        ("", False),
    ],
)
def test_departement_codes(code, ok):
    assert departement_is_valid(code) is ok
