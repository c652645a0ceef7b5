import os

import pytest

from encryption import (
    KeyRing,
    RecoveryError,
    export_recovery,
    generate_recovery_keypair,
    restore_from_recovery,
    unwrap_with_recovery,
    wrap_for_recovery,
)

AAD = b"users/phone/7"


@pytest.fixture(scope="module")
def recovery_keys():
    """A 2048-bit pair keeps the tests quick; production pairs default to 4096 bits."""
    return generate_recovery_keypair(b"offline-passphrase", bits=2048)


def test_a_wrapped_key_comes_back_with_the_private_key(recovery_keys):
    private_pem, public_pem = recovery_keys
    key = os.urandom(32)
    blob = wrap_for_recovery(key, public_pem)
    assert key not in blob and len(blob) == 256
    assert unwrap_with_recovery(blob, private_pem, b"offline-passphrase") == key


def test_the_private_key_is_encrypted_at_rest(recovery_keys):
    private_pem, public_pem = recovery_keys
    assert b"ENCRYPTED PRIVATE KEY" in private_pem
    blob = wrap_for_recovery(os.urandom(32), public_pem)
    with pytest.raises(RecoveryError):
        unwrap_with_recovery(blob, private_pem, b"wrong passphrase")
    with pytest.raises(RecoveryError):
        unwrap_with_recovery(blob, private_pem, None)


def test_another_private_key_cannot_unwrap(recovery_keys):
    _, public_pem = recovery_keys
    other_private, _ = generate_recovery_keypair(bits=2048)
    blob = wrap_for_recovery(os.urandom(32), public_pem)
    with pytest.raises(RecoveryError) as caught:
        unwrap_with_recovery(blob, other_private)
    assert caught.value.code == "recovery_failed"


def test_a_tampered_blob_is_refused(recovery_keys):
    private_pem, public_pem = recovery_keys
    blob = bytearray(wrap_for_recovery(os.urandom(32), public_pem))
    blob[10] ^= 1
    with pytest.raises(RecoveryError):
        unwrap_with_recovery(bytes(blob), private_pem, b"offline-passphrase")


def test_a_short_rsa_key_is_refused():
    with pytest.raises(ValueError):
        generate_recovery_keypair(bits=1024)


def test_a_whole_ring_is_restored_from_its_recovery_export(recovery_keys):
    private_pem, public_pem = recovery_keys
    ring = KeyRing.generate()
    old = ring.encrypt("ancienne valeur", AAD)
    ring.rotate()
    new = ring.encrypt("nouvelle valeur", AAD)
    exported = export_recovery(ring, public_pem)
    assert ring.key(ring.primary).hex() not in exported
    restored = restore_from_recovery(exported, private_pem, b"offline-passphrase")
    assert restored.primary == ring.primary
    assert (restored.decrypt(old, AAD), restored.decrypt(new, AAD)) == (
        "ancienne valeur",
        "nouvelle valeur",
    )
