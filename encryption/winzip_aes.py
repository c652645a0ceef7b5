"""WinZip AES primitives: key derivation, little-endian AES-CTR and the 10-byte HMAC-SHA1 code.

Source: WinZip "AES Encryption Information: Encryption Specification AE-1 and AE-2"
(https://www.winzip.com/en/support/aes-encryption/), sections "Key Generation",
"Encryption" and "Authentication Code".
"""

import hashlib
import hmac
from functools import cache

from Cryptodome.Util.strxor import strxor  # pycryptodomex, which pyzipper already requires
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SALT_SIZE = 16  # AES-256 (strength 3) uses a 16-byte salt
PV_SIZE = 2
MAC_SIZE = 10
KEY_SIZE = 32
OVERHEAD = SALT_SIZE + PV_SIZE + MAC_SIZE
PBKDF2_ITERATIONS = 1000

Buffer = bytes | bytearray | memoryview

_BLOCK = 16
_WINDOW = 1 << 16  # counters sharing their upper 112 bits: one precomputed buffer of them
_SLACK = _BLOCK  # cryptography's update_into wants room for one more block


def derive_keys(password: bytes, salt: bytes) -> tuple[bytes, bytes, bytes]:
    """AES key, HMAC key and password verifier: PBKDF2-HMAC-SHA1 (AE spec, Key Generation)."""
    material = hashlib.pbkdf2_hmac("sha1", password, salt, PBKDF2_ITERATIONS, 2 * KEY_SIZE + 2)
    return material[:KEY_SIZE], material[KEY_SIZE : 2 * KEY_SIZE], material[2 * KEY_SIZE :]


def new_mac(mac_key: bytes) -> "hmac.HMAC":
    """HMAC-SHA1 of the encrypted data, kept to 10 bytes (AE spec, Authentication Code)."""
    return hmac.new(mac_key, digestmod=hashlib.sha1)


class WinZipCtr:
    """AES-CTR with WinZip's 128-bit little-endian counter starting at 1 (AE spec, Encryption).

    OpenSSL only offers big-endian counters, so CTR is assembled from its definition: a buffer
    of consecutive little-endian counter blocks (2**16 of them share their upper 14 bytes, so
    one precomputed window serves them all) is encrypted in one pipelined AES-ECB pass into
    keystream, which pycryptodomex's strxor (C) XORs with the data. Encryption and decryption
    are the same operation.
    """

    def __init__(self, key: bytes) -> None:
        # ECB only ever encrypts counter blocks: this is CTR mode assembled by hand.
        self._ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305  # nosec B305 # encrypts counter blocks: CTR
        self._counters: bytes | bytearray = _first_window()  # own copy from window 1 on
        self._window = 0
        self._counter = 1  # the counter of the next keystream block to compute
        self._keystream = bytearray()
        self._used = self._ready = 0  # keystream bytes consumed and computed

    def update(self, data: Buffer) -> bytearray:
        """Mask `data` with the next bytes of the keystream."""
        out = bytearray(len(data))
        self.update_into(data, out)
        return out

    def update_into(self, data: Buffer, out: bytearray | memoryview) -> None:
        """Write `data` masked with the next keystream bytes to `out`: as long, or `data` itself."""
        source, target = memoryview(data).cast("B"), memoryview(out).cast("B")
        if len(source) != len(target):
            raise ValueError("update_into: the output must be as long as the data")
        done = 0
        while done < len(source):
            if self._used == self._ready:
                self._compute((len(source) - done + _BLOCK - 1) // _BLOCK)
            size = min(self._ready - self._used, len(source) - done)
            stream = memoryview(self._keystream)[self._used : self._used + size]
            strxor(source[done : done + size], stream, output=target[done : done + size])
            self._used += size
            done += size

    def _compute(self, wanted: int) -> None:
        """Keystream for up to `wanted` blocks, never past the end of the counter window."""
        window, first = divmod(self._counter, _WINDOW)
        if window != self._window:
            self._counters = _move_window(self._counters, self._window, window)
            self._window = window
        count = min(wanted, _WINDOW - first)
        if len(self._keystream) < count * _BLOCK + _SLACK:
            self._keystream = bytearray(count * _BLOCK + _SLACK)
        counters = memoryview(self._counters)[first * _BLOCK : (first + count) * _BLOCK]
        self._ecb.update_into(counters, self._keystream)
        self._counter += count
        self._used, self._ready = 0, count * _BLOCK


@cache
def _first_window() -> bytes:
    """Counter blocks 0..2**16-1, little-endian: built once, shared read-only."""
    counters = bytearray(_WINDOW * _BLOCK)
    counters[0::_BLOCK] = bytes(range(256)) * (_WINDOW // 256)
    counters[1::_BLOCK] = b"".join(bytes([high]) * 256 for high in range(256))
    return bytes(counters)


def _move_window(counters: bytes | bytearray, old: int, new: int) -> bytearray:
    """The window's counters with their upper 14 bytes set to `new` (the shared one copied)."""
    if not isinstance(counters, bytearray):
        counters = bytearray(counters)
    before, after = old.to_bytes(14, "little"), new.to_bytes(14, "little")
    for index in range(14):
        if after[index] != before[index]:
            counters[2 + index :: _BLOCK] = bytes([after[index]]) * _WINDOW
    return counters
