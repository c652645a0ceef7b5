"""The instance's Ed25519 keys: they sign evidence packs and the journal's seals.

The keys live in one JSON file (`RGPD_SIGNING_KEYS_FILE`, default `instance/signing-keys.json`,
created 0600 on first use): the active key's private half, and the public half of every key ever
used, so that a pack signed before a rotation still verifies. Several web hosts must share the
file (the storage root is shared) or receive the same one from their deployment. A key id is
`ed25519:` and the first 16 hex digits of the SHA-256 of the raw public key.
"""

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app


class SigningKeyError(Exception):
    """The key file is unreadable or inconsistent (said in French)."""


@dataclass(frozen=True)
class PublicKey:
    kid: str
    pem: str
    created_at: str
    retired_at: str | None

    def as_dict(self) -> dict:
        return {"kid": self.kid, "alg": "Ed25519", "public_key_pem": self.pem,
                "created_at": self.created_at, "retired_at": self.retired_at}  # fmt: skip


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _new_entry(now: datetime) -> dict:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return {
        "kid": key_id(private.public_key()),
        "created_at": now.isoformat(),
        "retired_at": None,
        "public_key_pem": public_pem(private.public_key()),
        "private_key": base64.b64encode(raw).decode(),
    }


def keys_file() -> Path:
    return Path(current_app.config["SIGNING_KEYS_FILE"])


def _write(path: Path, data: dict) -> None:
    """Atomically, 0600, in a 0700 folder."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, sort_keys=True)
    os.replace(partial, path)


def _load(now: datetime) -> dict:
    path = keys_file()
    if not path.exists():
        first = _new_entry(now)
        data = {"active": first["kid"], "keys": [first]}
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.first")
        _write(partial, data)
        try:
            os.link(partial, path)  # another process created it meanwhile: theirs wins
        except FileExistsError:
            pass
        finally:
            partial.unlink(missing_ok=True)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        active = next(k for k in data["keys"] if k["kid"] == data["active"])
    except (OSError, ValueError, KeyError, StopIteration) as error:
        raise SigningKeyError(
            f"Fichier des clés de signature illisible : {path} ({error})."
        ) from None
    if not active.get("private_key"):
        raise SigningKeyError(f"La clé active {active['kid']} n'a pas de partie privée ({path}).")
    return data


def active_key(now: datetime) -> tuple[str, Ed25519PrivateKey]:
    data = _load(now)
    entry = next(k for k in data["keys"] if k["kid"] == data["active"])
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(entry["private_key"]))
    if key_id(private.public_key()) != entry["kid"]:
        raise SigningKeyError(f"La clé {entry['kid']} ne correspond pas à son identifiant.")
    return entry["kid"], private


def sign(data: bytes, *, now: datetime) -> tuple[str, bytes]:
    """(key id, Ed25519 signature of `data`) with the active key."""
    kid, private = active_key(now)
    return kid, private.sign(data)


def published(now: datetime) -> list[PublicKey]:
    """Every key ever used, oldest first (what /.well-known/rgpd-evidence-keys.json lists)."""
    data = _load(now)
    return [
        PublicKey(k["kid"], k["public_key_pem"], k["created_at"], k.get("retired_at"))
        for k in sorted(data["keys"], key=lambda k: k["created_at"])
    ]


def rotate(now: datetime) -> tuple[str, str]:
    """A new active key; the old one keeps only its public half. Returns (old kid, new kid)."""
    data = _load(now)
    old = next(k for k in data["keys"] if k["kid"] == data["active"])
    old["retired_at"], old["private_key"] = now.isoformat(), None
    new = _new_entry(now)
    data["keys"].append(new)
    data["active"] = new["kid"]
    _write(keys_file(), data)
    return old["kid"], new["kid"]


def verify_with(keys: list[PublicKey], kid: str, data: bytes, signature: bytes) -> str:
    """Empty when `signature` is `kid`'s over `data`; else why not (in French)."""
    found = next((k for k in keys if k.kid == kid), None)
    if found is None:
        return f"La clé {kid} ne fait pas partie des clés publiées."
    public = serialization.load_pem_public_key(found.pem.encode())
    if not isinstance(public, Ed25519PublicKey) or key_id(public) != kid:
        return f"La clé publiée {kid} ne correspond pas à son identifiant."
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return "La signature ne correspond pas au manifeste (manifeste modifié ou autre clé)."
    return ""
