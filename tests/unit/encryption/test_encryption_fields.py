import json
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from encryption import FieldCryptoError, KeyRing

AAD = b"data_subjects/email/42"


@pytest.fixture(scope="module")
def ring() -> KeyRing:
    return KeyRing.generate()


@settings(max_examples=50)
@given(text=st.text(max_size=300))
def test_any_text_round_trips(text):
    ring = KeyRing.generate()
    assert ring.decrypt(ring.encrypt(text, AAD), AAD) == text


def test_tokens_are_tagged_with_the_key_id_and_never_repeat(ring):
    first, second = ring.encrypt("jean.dupont@exemple.fr"), ring.encrypt("jean.dupont@exemple.fr")
    assert first != second
    version, kid, body = first.split(":")
    assert (version, kid) == ("v1", ring.primary)
    assert "=" not in body and "dupont" not in first


def refusal(ring, token, aad=AAD) -> FieldCryptoError:
    with pytest.raises(FieldCryptoError) as caught:
        ring.decrypt(token, aad)
    assert str(caught.value)
    return caught.value


def test_a_token_read_for_another_row_is_refused(ring):
    token = ring.encrypt("06 12 34 56 78", AAD)
    assert refusal(ring, token, b"data_subjects/email/43").code == "tampered_token"


def test_a_modified_token_is_refused(ring):
    token = ring.encrypt("Dupont", AAD)
    body = token.split(":")[2]
    altered = token[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    assert refusal(ring, altered).code == "tampered_token"


def test_a_token_relabelled_with_another_key_id_is_refused(ring):
    other = KeyRing.generate()
    token = ring.encrypt("Dupont", AAD)
    relabelled = token.replace(ring.primary, other.primary)
    both = KeyRing(
        {ring.primary: ring.key(ring.primary), other.primary: other.key(other.primary)},
        ring.primary,
    )
    assert refusal(both, relabelled).code == "tampered_token"


@pytest.mark.parametrize(
    "token", ["", "v2:abc:xyz", "v1:abc", "v1:a b:AAAA", "v1:abc:!!!!", "v1:abc:AAAA"]
)
def test_malformed_tokens_are_refused(ring, token):
    assert refusal(ring, token).code == "malformed_token"


def test_a_token_from_an_unknown_key_is_refused(ring):
    assert refusal(ring, KeyRing.generate().encrypt("x", AAD)).code == "unknown_key"


def test_rotation_keeps_old_tokens_readable_and_flags_them():
    ring = KeyRing.generate()
    old = ring.encrypt("Martin", AAD)
    old_kid = ring.primary
    new_kid = ring.rotate()
    assert new_kid != old_kid and ring.primary == new_kid and ring.kids == [old_kid, new_kid]
    assert ring.decrypt(old, AAD) == "Martin"
    assert ring.needs_reencryption(old)
    fresh = ring.reencrypt(old, AAD)
    assert not ring.needs_reencryption(fresh)
    assert ring.decrypt(fresh, AAD) == "Martin"


def test_the_key_file_round_trips_and_is_private(tmp_path):
    ring = KeyRing.generate()
    ring.rotate()
    token = ring.encrypt("Bernard", AAD)
    path = tmp_path / "keys.json"
    ring.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = KeyRing.load(path)
    assert (loaded.primary, loaded.kids) == (ring.primary, ring.kids)
    assert loaded.decrypt(token, AAD) == "Bernard"
    assert json.loads(path.read_text())["format"] == "rgpd-keyring"
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"format": "other", "version": 1}',
        '{"format": "rgpd-keyring", "version": 1, "primary": "k",'
        ' "keys": [{"kid": "k", "key": "AAAA"}]}',
        '{"format": "rgpd-keyring", "version": 1, "primary": "x", "keys": []}',
    ],
)
def test_a_broken_key_file_is_refused(text):
    with pytest.raises(FieldCryptoError) as caught:
        KeyRing.from_json(text)
    assert caught.value.code == "key_file"
