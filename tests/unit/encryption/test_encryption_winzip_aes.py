import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from encryption import winzip_aes
from encryption.winzip_aes import WinZipCtr, derive_keys

KEY = bytes(range(32))
WINDOW = 1 << 16  # counters that share their upper 14 bytes


def reference_ctr(data: bytes, first_counter: int = 1) -> bytes:
    """One AES block per little-endian counter, the WinZip AE-x spec read literally."""
    encryptor = Cipher(algorithms.AES(KEY), modes.ECB()).encryptor()
    blocks = (len(data) + 15) // 16
    keystream = b"".join(
        encryptor.update((first_counter + i).to_bytes(16, "little")) for i in range(blocks)
    )
    return bytes(a ^ b for a, b in zip(data, keystream, strict=False))


def starting_at(counter: int) -> WinZipCtr:
    cipher = WinZipCtr(KEY)
    cipher._counter = counter  # as if counter - 1 blocks had been used
    return cipher


def test_keystream_matches_the_spec_across_a_counter_window():
    data = bytes(range(256)) * (1 << 12) + b"tail"  # crosses counter 2**16
    assert WinZipCtr(KEY).update(data) == reference_ctr(data)


def test_counter_carries_into_the_third_byte():
    cipher = starting_at((1 << 24) - 300)  # near a carry into byte 3
    data = bytes(16 * 600)
    assert cipher.update(data) == reference_ctr(data, (1 << 24) - 300)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=0, max_value=40),
    st.lists(st.integers(min_value=0, max_value=1500), min_size=1, max_size=8),
)
def test_odd_sized_updates_across_a_window_boundary_follow_the_spec(window, before, sizes):
    first = window * WINDOW - before  # the boundary falls within the first 40 blocks
    data = bytes((i * 7 + 3) & 255 for i in range(sum(sizes)))
    cipher, pieces, start = starting_at(first), [], 0
    for size in sizes:
        pieces.append(cipher.update(data[start : start + size]))
        start += size
    assert b"".join(pieces) == reference_ctr(data, first)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=70_000), min_size=1, max_size=6))
def test_any_split_of_the_input_gives_the_same_ciphertext(sizes):
    data = bytes((i * 7) & 255 for i in range(sum(sizes)))
    cipher, pieces, start = WinZipCtr(KEY), [], 0
    for size in sizes:
        pieces.append(cipher.update(data[start : start + size]))
        start += size
    assert b"".join(pieces) == reference_ctr(data)


def test_update_into_may_work_in_place():
    data = bytes(range(256)) * 300 + b"odd"
    buffer = bytearray(data)
    WinZipCtr(KEY).update_into(buffer, buffer)
    assert buffer == reference_ctr(data)
    with pytest.raises(ValueError):
        WinZipCtr(KEY).update_into(data, bytearray(len(data) - 1))


def test_leaving_the_first_window_does_not_touch_the_shared_counters():
    starting_at(5 * WINDOW - 2).update(bytes(64))
    shared = winzip_aes._first_window()
    assert shared[16 * 7 : 16 * 8] == (7).to_bytes(16, "little")
    assert WinZipCtr(KEY).update(bytes(32)) == reference_ctr(bytes(32))


def test_encrypting_twice_decrypts():
    data = b"Nom;Prenom\nDupont;Jean\n" * 1000
    assert WinZipCtr(KEY).update(WinZipCtr(KEY).update(data)) == data


def test_keys_come_from_pbkdf2_sha1_with_1000_iterations():
    material = hashlib.pbkdf2_hmac("sha1", b"secret", b"s" * 16, 1000, 66)
    assert derive_keys(b"secret", b"s" * 16) == (material[:32], material[32:64], material[64:])
