"""WinZip AES primitives: key derivation, little-endian AES-CTR and the 10-byte HMAC-SHA1 code.

Source: WinZip "AES Encryption Information: Encryption Specification AE-1 and AE-2"
(https://www.winzip.com/en/support/aes-encryption/), sections "Key Generation",
"Encryption" and "Authentication Code".
"""

import hashlib
import hmac

from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SALT_SIZE = 16  # AES-256 (strength 3) uses a 16-byte salt
PV_SIZE = 2
MAC_SIZE = 10
KEY_SIZE = 32
OVERHEAD = SALT_SIZE + PV_SIZE + MAC_SIZE
PBKDF2_ITERATIONS = 1000

_WINDOW = 1 << 16  # counters sharing their upper 112 bits: one precomputed layout
_PAIR = 32  # one counter block followed by one data block
_SMALL = 256  # below this many blocks, a plain ECB pass is cheaper than the pair layout


def derive_keys(password: bytes, salt: bytes) -> tuple[bytes, bytes, bytes]:
    """AES key, HMAC key and password verifier: PBKDF2-HMAC-SHA1 (AE spec, Key Generation)."""
    material = hashlib.pbkdf2_hmac("sha1", password, salt, PBKDF2_ITERATIONS, 2 * KEY_SIZE + 2)
    return material[:KEY_SIZE], material[KEY_SIZE : 2 * KEY_SIZE], material[2 * KEY_SIZE :]


def new_mac(mac_key: bytes) -> "hmac.HMAC":
    """HMAC-SHA1 of the encrypted data, kept to 10 bytes (AE spec, Authentication Code)."""
    return hmac.new(mac_key, digestmod=hashlib.sha1)


class WinZipCtr:
    """AES-CTR with WinZip's 128-bit little-endian counter starting at 1 (AE spec, Encryption).

    OpenSSL only offers big-endian counters, so each counter block is laid out just before the
    data block it masks and the pair run through AES-CFB decryption, whose output is
    `block XOR AES(previous block)`: one pass of AES-NI over a precomputed buffer instead of
    a Python loop per block. Encryption and decryption are the same operation.
    """

    def __init__(self, key: bytes) -> None:
        # ECB only ever encrypts counter blocks: this is CTR mode assembled by hand.
        self._ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
        self._cfb = Cipher(algorithms.AES(key), CFB(bytes(16))).decryptor()
        self._pairs = bytearray()  # allocated on the first large update: entries are often small
        self._window = 0
        self._counter = 1
        self._leftover = b""

    def update(self, data: bytes | bytearray | memoryview) -> bytes:
        """Mask `data` with the next bytes of the keystream."""
        view = memoryview(data).cast("B")
        pieces = []
        if self._leftover:
            head = min(len(self._leftover), len(view))
            pieces.append(_xor(view[:head], self._leftover[:head]))
            self._leftover = self._leftover[head:]
            view = view[head:]
        whole = len(view) - len(view) % 16
        position = 0
        while position < whole:
            size = min(whole - position, (_WINDOW - self._counter % _WINDOW) * 16)
            pieces.append(self._blocks(view[position : position + size]))
            position += size
        if whole < len(view):
            keystream = self._ecb.update(self._counter.to_bytes(16, "little"))
            self._counter += 1
            tail = view[whole:]
            pieces.append(_xor(tail, keystream[: len(tail)]))
            self._leftover = keystream[len(tail) :]
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def _blocks(self, data: memoryview) -> bytes:
        """Whole blocks within one 2**16-counter window."""
        count = len(data) // 16
        if count < _SMALL:
            counters = b"".join((self._counter + i).to_bytes(16, "little") for i in range(count))
            self._counter += count
            return _xor(data, self._ecb.update(counters))
        if not self._pairs:
            self._pairs = _pair_template()
            self._pair_words = memoryview(self._pairs).cast("Q")
            self._out = bytearray(len(self._pairs) + 16)  # update_into wants a block of slack
            self._out_blocks = memoryview(self._out).cast("B", (len(self._out) // 16, 16))
        window, first = divmod(self._counter, _WINDOW)
        if window != self._window:
            old, new = self._window.to_bytes(14, "little"), window.to_bytes(14, "little")
            for index in range(14):
                if new[index] != old[index]:
                    self._pairs[2 + index :: _PAIR] = bytes([new[index]]) * _WINDOW
            self._window = window
        words = data.cast("Q")
        start, stop = first * 4, (first + count) * 4
        self._pair_words[start + 2 : stop : 4] = words[0::2]
        self._pair_words[start + 3 : stop : 4] = words[1::2]
        byte_start, byte_stop = first * _PAIR, (first + count) * _PAIR
        self._cfb.update_into(memoryview(self._pairs)[byte_start:byte_stop], self._out)
        self._counter += count
        return self._out_blocks[1 : 2 * count : 2].tobytes()


def _pair_template() -> bytearray:
    """Counter blocks 0..2**16-1 (low two bytes, little-endian) each followed by a data slot."""
    pairs = bytearray(_WINDOW * _PAIR)
    pairs[0::_PAIR] = bytes(range(256)) * (_WINDOW // 256)
    pairs[1::_PAIR] = b"".join(bytes([high]) * 256 for high in range(256))
    return pairs


def _xor(left: memoryview | bytes, right: bytes) -> bytes:
    """Byte-wise XOR of two buffers, the result as long as `right`."""
    size = len(right)
    value = int.from_bytes(left, "little") ^ int.from_bytes(right, "little")
    return value.to_bytes(size, "little")
