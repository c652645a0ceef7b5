import pytest

from encryption import generate_password
from encryption.passwords import ALPHABET


def test_passwords_are_24_ascii_characters_without_look_alikes():
    for _ in range(200):
        password = generate_password()
        assert len(password) == 24
        assert password.isascii() and password.isalnum()
        assert not set(password) & set("0Oo1lIi")
        assert set(password) <= set(ALPHABET)


def test_passwords_mix_lower_upper_and_digits_and_do_not_repeat():
    passwords = {generate_password(30) for _ in range(50)}
    assert len(passwords) == 50
    assert all(any(c.isdigit() for c in p) and any(c.isupper() for c in p) for p in passwords)


def test_the_alphabet_gives_over_128_bits_at_the_default_length():
    import math

    assert 24 * math.log2(len(ALPHABET)) > 128


def test_a_password_under_20_characters_is_refused():
    with pytest.raises(ValueError, match="20"):
        generate_password(19)
