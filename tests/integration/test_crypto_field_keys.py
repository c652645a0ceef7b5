"""Field encryption in the app: the key file, EncryptedText, rotation in batches, recovery."""

import json
import stat
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import text

from encryption import KeyRing, restore_from_recovery
from rgpd_app.accounts.models import User
from rgpd_app.crypto import services
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.foundation.keyring import field_keyring, key_file


def raw_secret(user_id: int) -> str:
    return db.session.execute(
        text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user_id}
    ).scalar_one()


def reload(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_the_key_file_is_created_on_first_use_readable_by_its_owner_only(app):
    path = key_file()
    assert path == Path(app.instance_path) / "field_keys.json"
    ring = field_keyring()
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert field_keyring() is ring  # cached while the file does not change
    assert KeyRing.load(path).primary == ring.primary


def test_the_totp_secret_is_unreadable_in_the_database(app, make_user, backend):
    user = make_user("support", totp=True)
    secret = user.totp_secret
    stored = raw_secret(user.id)
    assert stored.startswith(f"v1:{field_keyring().primary}:") and secret not in stored
    assert reload(user.id).totp_secret == secret
    if backend == "sqlite":
        db.session.close()
        db.engine.dispose()  # checkpoint the WAL into the file
        database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        for path in database.parent.glob(database.name + "*"):
            assert secret.encode() not in path.read_bytes()
        assert stored.encode() in database.read_bytes()


def test_a_tampered_token_is_refused_when_the_row_is_loaded(app, make_user):
    user = make_user("support", totp=True)
    token = raw_secret(user.id)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    db.session.execute(
        text("UPDATE user_account SET totp_secret = :t WHERE id = :id"),
        {"t": tampered, "id": user.id},
    )
    db.session.commit()
    with pytest.raises(ValueError, match="altérée"):
        reload(user.id)


def test_keys_from_the_environment_variable_are_used_and_cannot_be_rotated(app, make_user, runner):
    ring = KeyRing.generate()
    app.config["FIELD_KEYS"] = ring.to_json()
    user = make_user("support", totp=True)
    assert raw_secret(user.id).startswith(f"v1:{ring.primary}:")
    assert not key_file().exists()
    result = runner.invoke(args=["rgpd", "keys", "rotate"])
    assert result.exit_code != 0 and "RGPD_FIELD_KEYS" in result.output


def test_rotation_reencrypts_every_row_in_batches_while_old_tokens_stay_readable(
    app, make_user, runner
):
    users = [make_user("support", totp=True) for _ in range(5)]
    secrets_by_id = {u.id: u.totp_secret for u in users}
    old = field_keyring().primary
    seen = []

    def progress(column, rows):
        # Mid-rotation: the new key is primary, rows not yet re-encrypted still decrypt.
        stored = {uid: raw_secret(uid) for uid in secrets_by_id}
        seen.append(sum(1 for t in stored.values() if t.startswith(f"v1:{old}:")))
        for uid, secret in secrets_by_id.items():
            assert reload(uid).totp_secret == secret

    kid, report = services.rotate_keys(now=app.config["NOW"](), batch_size=2, progress=progress)
    assert kid != old and field_keyring().primary == kid and old in field_keyring().kids
    assert seen == [3, 1, 0]  # two rows per batch, one commit each
    assert report.reencrypted == 5 and report.batches == 3 and not report.unreadable
    for uid, secret in secrets_by_id.items():
        assert raw_secret(uid).startswith(f"v1:{kid}:")
        assert reload(uid).totp_secret == secret
    actions = db.session.scalars(db.select(JournalEntry.action)).all()
    assert "keys.rotated" in actions and "keys.reencrypted" in actions
    again = runner.invoke(args=["rgpd", "keys", "rotate", "--batch-size", "3"])
    assert again.exit_code == 0, again.output
    assert "5 valeur(s) rechiffrée(s)" in again.output
    assert len(KeyRing.load(key_file()).kids) == 3


def test_reencrypt_seals_values_written_before_the_column_was_encrypted(app, make_user, runner):
    user = make_user("support")
    plain = pyotp.random_base32()
    db.session.execute(
        text("UPDATE user_account SET totp_secret = :s WHERE id = :id"),
        {"s": plain, "id": user.id},
    )
    db.session.commit()
    result = runner.invoke(args=["rgpd", "keys", "reencrypt"])
    assert result.exit_code == 0, result.output
    assert "1 valeur(s) en clair chiffrée(s)" in result.output
    assert raw_secret(user.id).startswith("v1:")
    assert reload(user.id).totp_secret == plain


def test_a_recovery_copy_restores_keys_that_read_the_database(app, make_user, runner, tmp_path):
    user = make_user("support", totp=True)
    private, public = tmp_path / "secours.key", tmp_path / "secours.pub"
    made = runner.invoke(
        args=["rgpd", "keys", "recovery-keypair", "--private-out", str(private),
              "--public-out", str(public), "--bits", "2048", "--passphrase-stdin"],
        input="phrase de secours très longue\n",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    again = runner.invoke(
        args=["rgpd", "keys", "recovery-keypair", "--private-out", str(private),
              "--public-out", str(public)],
    )  # fmt: skip
    assert again.exit_code != 0 and "existe déjà" in again.output
    out = tmp_path / "secours.json"
    exported = runner.invoke(
        args=["rgpd", "keys", "recovery-export", "--public-key", str(public), "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert field_keyring().to_json() not in out.read_text()
    ring = restore_from_recovery(
        out.read_text(), private.read_bytes(), "phrase de secours très longue".encode()
    )
    token = raw_secret(user.id)
    assert ring.decrypt(token, b"user_account.totp_secret") == user.totp_secret
    assert json.loads(out.read_text())["primary"] == field_keyring().primary


def test_recovery_export_refuses_a_weak_public_key(app, runner, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    weak = tmp_path / "ec.pub"
    weak.write_bytes(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    result = runner.invoke(args=["rgpd", "keys", "recovery-export", "--public-key", str(weak)])
    assert result.exit_code != 0 and "RSA" in result.output


def test_status_shows_key_ids_never_keys(app, runner):
    result = runner.invoke(args=["rgpd", "keys", "status"])
    assert result.exit_code == 0
    ring = field_keyring()
    assert ring.primary in result.output
    assert json.loads(ring.to_json())["keys"][0]["key"] not in result.output
