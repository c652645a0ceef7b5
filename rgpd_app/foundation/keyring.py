"""The application's field-encryption keys: RGPD_FIELD_KEYS (JSON), else a 0600 key file.

The file is created on first use. Every process re-reads it when it changes on disk, so a
`flask rgpd keys rotate` run elsewhere is seen at once: new values get the new primary key and
values sealed with an older key stay readable until they are re-encrypted.
"""

import os
import secrets
from pathlib import Path

from flask import current_app

from encryption import KeyFileError, KeyRing

_CACHE = "rgpd_field_keys"


def keys_from_environment(app=None) -> bool:
    app = app or current_app
    return bool(app.config.get("FIELD_KEYS"))


def key_file(app=None) -> Path:
    app = app or current_app
    return Path(app.config["FIELD_KEYS_FILE"])


def field_keyring(app=None) -> KeyRing:
    """The current ring (cached until the key file or the variable changes)."""
    app = app or current_app
    cache = app.extensions.setdefault(_CACHE, {})
    if keys_from_environment(app):
        text = app.config["FIELD_KEYS"]
        if cache.get("stamp") != ("env", text):
            cache.update(stamp=("env", text), ring=KeyRing.from_json(text))
        return cache["ring"]
    path = key_file(app)
    try:
        status = path.stat()
    except FileNotFoundError:
        _create(path)
        status = path.stat()
    stamp = (str(path), status.st_ino, status.st_mtime_ns, status.st_size)
    if cache.get("stamp") != stamp:
        cache.update(stamp=stamp, ring=KeyRing.load(path))
    return cache["ring"]


def save_keyring(ring: KeyRing, app=None) -> Path:
    """Replace the key file atomically (0600); refused when the keys come from the variable."""
    app = app or current_app
    if keys_from_environment(app):
        raise KeyFileError(
            "Les clés viennent de la variable RGPD_FIELD_KEYS : elles ne peuvent pas être "
            "modifiées ici. Utilisez un fichier de clés (RGPD_FIELD_KEYS_FILE) pour la rotation."
        )
    path = key_file(app)
    ring.save(path)
    app.extensions.pop(_CACHE, None)
    return path


def _create(path: Path) -> None:
    """A fresh ring, written without ever replacing one that another process just created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    KeyRing.generate().save(partial)
    try:
        os.link(partial, path)  # fails if the file appeared meanwhile: theirs wins, ours goes
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)
