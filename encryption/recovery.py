"""Recovery copies of field keys, wrapped with an offline RSA key (RSA-OAEP-SHA256, RFC 8017)."""

import base64
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import RecoveryError
from .fields import KeyRing

MIN_BITS = 2048
_OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def generate_recovery_keypair(
    password: bytes | None = None, *, bits: int = 4096
) -> tuple[bytes, bytes]:
    """(private PEM, encrypted under `password` if given; public PEM) of the offline key."""
    if bits < MIN_BITS:
        raise ValueError(f"Une clé de secours RSA compte au moins {MIN_BITS} bits.")
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    protection = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, protection
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def wrap_for_recovery(key: bytes, public_pem: bytes) -> bytes:
    """`key` encrypted for the holder of the recovery private key (RSA-OAEP, SHA-256)."""
    public = serialization.load_pem_public_key(public_pem)
    if not isinstance(public, rsa.RSAPublicKey) or public.key_size < MIN_BITS:
        raise RecoveryError(
            f"La clé de secours doit être une clé publique RSA d'au moins {MIN_BITS} bits."
        )
    return public.encrypt(key, _OAEP)


def unwrap_with_recovery(blob: bytes, private_pem: bytes, password: bytes | None = None) -> bytes:
    """The key inside `blob`, opened with the offline private key."""
    try:
        private = serialization.load_pem_private_key(private_pem, password=password)
    except (ValueError, TypeError):
        raise RecoveryError("Clé privée de secours illisible ou mot de passe faux.") from None
    if not isinstance(private, rsa.RSAPrivateKey):
        raise RecoveryError("La clé de secours doit être une clé privée RSA.")
    try:
        return private.decrypt(blob, _OAEP)
    except ValueError:
        raise RecoveryError("Copie de secours illisible avec cette clé privée.") from None


def export_recovery(ring: KeyRing, public_pem: bytes) -> str:
    """JSON of every key of `ring` wrapped for recovery, with the primary id."""
    copies = {
        kid: base64.b64encode(wrap_for_recovery(ring.key(kid), public_pem)).decode()
        for kid in ring.kids
    }
    return json.dumps({"primary": ring.primary, "wrapped": copies}, indent=2) + "\n"


def restore_from_recovery(text: str, private_pem: bytes, password: bytes | None = None) -> KeyRing:
    """The ring rebuilt from `export_recovery` output and the offline private key."""
    try:
        document = json.loads(text)
        wrapped = {kid: base64.b64decode(blob) for kid, blob in document["wrapped"].items()}
        primary = document["primary"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise RecoveryError("Export de secours illisible.") from None
    keys = {kid: unwrap_with_recovery(blob, private_pem, password) for kid, blob in wrapped.items()}
    return KeyRing(keys, primary)
