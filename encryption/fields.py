"""Field encryption for personal data at rest: AES-256-GCM keys by id (NIST SP 800-38D)."""

import base64
import binascii
import json
import os
import re
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import KeyFileError, MalformedToken, TamperedToken, UnknownKey

VERSION = "v1"
NONCE_SIZE = 12  # 96-bit random nonces (SP 800-38D 8.2.2): safe for 2**32 messages per key
KEY_SIZE = 32
_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_FORMAT = "rgpd-keyring"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyRing:
    """AES-256-GCM keys by id; new tokens use the primary key, old keys still decrypt."""

    def __init__(self, keys: dict[str, bytes], primary: str) -> None:
        if primary not in keys:
            raise KeyFileError(f"Clé principale « {primary} » absente du trousseau.")
        for kid, key in keys.items():
            if not _KID.match(kid) or len(key) != KEY_SIZE:
                raise KeyFileError(f"Clé « {kid} » invalide : 32 octets et un identifiant simple.")
        self._keys = dict(keys)
        self._primary = primary

    @classmethod
    def generate(cls) -> "KeyRing":
        """A new ring holding one fresh primary key."""
        kid = secrets.token_hex(4)
        return cls({kid: AESGCM.generate_key(bit_length=256)}, kid)

    @property
    def primary(self) -> str:
        return self._primary

    @property
    def kids(self) -> list[str]:
        return list(self._keys)

    def key(self, kid: str) -> bytes:
        """The raw key `kid`, for a recovery copy."""
        if kid not in self._keys:
            raise UnknownKey(f"Clé de chiffrement « {kid} » inconnue.")
        return self._keys[kid]

    def rotate(self) -> str:
        """Add a fresh key and make it primary; returns its id."""
        kid = secrets.token_hex(4)
        while kid in self._keys:
            kid = secrets.token_hex(4)
        self._keys[kid] = AESGCM.generate_key(bit_length=256)
        self._primary = kid
        return kid

    def encrypt(self, plaintext: str, aad: bytes = b"") -> str:
        """Token 'v1:<kid>:<base64url(nonce + ciphertext + tag)>', bound to `aad` (row, column)."""
        nonce = os.urandom(NONCE_SIZE)
        sealed = AESGCM(self._keys[self._primary]).encrypt(
            nonce, plaintext.encode("utf-8"), _associated(self._primary, aad)
        )
        return f"{VERSION}:{self._primary}:{_b64(nonce + sealed)}"

    def decrypt(self, token: str, aad: bytes = b"") -> str:
        """Plain text of `token`, refused when altered or read with other associated data."""
        kid, blob = _split(token)
        key = self.key(kid)
        try:
            plain = AESGCM(key).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], _associated(kid, aad))
        except InvalidTag:
            raise TamperedToken(
                "Donnée chiffrée altérée, ou lue pour une autre ligne ou colonne."
            ) from None
        return plain.decode("utf-8")

    def needs_reencryption(self, token: str) -> bool:
        """True when `token` was sealed with a key other than the primary one."""
        kid, _ = _split(token)
        return kid != self._primary

    def reencrypt(self, token: str, aad: bytes = b"") -> str:
        """The same value sealed again with the primary key."""
        return self.encrypt(self.decrypt(token, aad), aad)

    def to_json(self) -> str:
        """Key file text: format, primary id and base64 keys."""
        keys = [{"kid": kid, "key": _b64(key)} for kid, key in self._keys.items()]
        document = {"format": _FORMAT, "version": 1, "primary": self._primary, "keys": keys}
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "KeyRing":
        """Ring read from key file text."""
        try:
            document = json.loads(text)
            if document.get("format") != _FORMAT or document.get("version") != 1:
                raise KeyFileError("Fichier de clés d'un format inconnu.")
            keys = {item["kid"]: _unb64(item["key"]) for item in document["keys"]}
            return cls(keys, document["primary"])
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
            if isinstance(error, KeyFileError):
                raise
            raise KeyFileError(f"Fichier de clés illisible : {error}.") from None

    def save(self, path: str | os.PathLike) -> None:
        """Write the key file readable by its owner only, replacing it atomically."""
        path = Path(path)
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(self.to_json())
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "KeyRing":
        """Ring read from a key file."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _associated(kid: str, aad: bytes) -> bytes:
    """The token header is authenticated too, so a token cannot be relabelled with another key."""
    return f"{VERSION}:{kid}:".encode("ascii") + aad


def _split(token: str) -> tuple[str, bytes]:
    parts = token.split(":") if isinstance(token, str) else []
    if len(parts) != 3 or parts[0] != VERSION or not _KID.match(parts[1]):
        raise MalformedToken("Jeton de donnée chiffrée mal formé.")
    try:
        blob = _unb64(parts[2])
    except (ValueError, binascii.Error):
        raise MalformedToken("Jeton de donnée chiffrée mal formé.") from None
    if len(blob) < NONCE_SIZE + 16:
        raise MalformedToken("Jeton de donnée chiffrée trop court.")
    return parts[1], blob
