"""`flask rgpd backup` / `restore` on SQLite and PostgreSQL (issue 19): a restored instance
verifies its journal, does not resend what was sent, and computes the same clocks."""

import json
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import select

from rgpd_app import scheduler
from rgpd_app.accounts.models import User
from rgpd_app.clocks.schemas import EcheanceSchema
from rgpd_app.clocks.services import echeances_for
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.keyring import field_keyring
from rgpd_app.journal import services as journal
from rgpd_app.notifications.models import OutboxAttempt, OutboxMessage
from rgpd_app.subprocessors.notices import services as notices
from tests.conftest import PG_DB, POSTGRES_ADMIN_URL
from tests.subprocessor_support import notice_data

PASSWORD = "correct-horse-battery-staple-19"
RESTORE_DB = f"{PG_DB}_restore"


@pytest.fixture
def target_url(backend, tmp_path):
    """An empty database for the restore, of the same kind as the source."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {RESTORE_DB}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{RESTORE_DB}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")


def _clocks(app, email, now) -> list:
    user = db.session.scalar(select(User).where(User.email == email))
    with app.test_request_context():
        return EcheanceSchema(many=True).dump(echeances_for(actor_for(user, now), now=now))


def _deliveries() -> list:
    return [
        (m.message_id, m.state, m.attempts, m.accepted_at, m.acceptance_reply)
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.message_id))
    ]


def test_a_restored_instance_verifies_resends_nothing_and_keeps_its_clocks(
    app, runner, clock, sub_world, sub_smtp, target_url, tmp_path
):
    from rgpd_app import create_app

    # The source: a sub-processor notice accepted by the mail server (its 7-day windows run),
    # a stored file, field keys, signed seals and the journal's anchor.
    sub_smtp.start()
    notice = notices.create_notice(notice_data(sub_world.sub.id), actor=sub_world.dpo, now=clock())
    notices.send_notice(notice.id, actor=sub_world.dpo, now=clock())
    scheduler.tick(clock())
    scheduler.tick(clock())  # the second tick copies the acceptance into the windows
    assert len(sub_smtp.handler.messages) == 2
    stored = app.config["STORAGE_ROOT"] + "/deposits/ab/0123.bin"
    (tmp_path / "instance/storage/deposits/ab").mkdir(parents=True)
    with open(stored, "wb") as out:
        out.write(b"\x00deposit bytes\xff")
    field_keyring()
    scheduler.tick(clock())  # seals the rows above
    dpo_email = sub_world.dpo.user.email
    clocks, deliveries = _clocks(app, dpo_email, clock()), _deliveries()
    assert [c for c in clocks if c["kind"] == "subprocessor-window"]
    assert {state for _, state, *_ in deliveries} == {"sent"}
    backups = tmp_path / "backups"
    backups.mkdir()
    result = runner.invoke(args=["rgpd", "backup", str(backups), "--password-stdin"],
                           input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    (archive,) = backups.glob("rgpd-backup-*.zip")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    sent_before = len(sub_smtp.handler.messages)

    # The target: another instance folder (secrets generated at its first start), an empty
    # database and storage root.
    target = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "target"),
            "SQLALCHEMY_DATABASE_URI": target_url,
            "JOURNAL_ANCHOR_DAYS": 0,
            "NOW": clock,
            "SMTP_HOST": app.config["SMTP_HOST"],
            "SMTP_PORT": app.config["SMTP_PORT"],
            "SMTP_STARTTLS": False,
        }
    )
    generated_key = (tmp_path / "target/secret_key").read_text()
    with target.app_context():
        restore = target.test_cli_runner().invoke(
            args=["rgpd", "restore", str(archive), "--password-stdin"], input=PASSWORD + "\n"
        )
        assert restore.exit_code == 0, restore.output
        assert "restaurée" in restore.output
        assert (tmp_path / "target/secret_key").read_text() == "test-secret"
        assert (tmp_path / "target/secret_key.before-restore").read_text() == generated_key
        for name in ("signing-keys.json", "journal-anchor.json", "field_keys.json"):
            assert (tmp_path / "target" / name).read_bytes() == (
                tmp_path / "instance" / name
            ).read_bytes()
        restored_file = tmp_path / "target/storage/deposits/ab/0123.bin"
        assert restored_file.read_bytes() == b"\x00deposit bytes\xff"
        assert oct(restored_file.stat().st_mode & 0o777) == "0o600"

        verified = target.test_cli_runner().invoke(args=["rgpd", "journal", "verify"])
        assert verified.exit_code == 0, verified.output
        assert _clocks(target, dpo_email, clock()) == clocks
        attempts = db.session.query(OutboxAttempt).count()
        scheduler.tick(clock())  # a worker round on the restored database
        assert _deliveries() == deliveries
        assert db.session.query(OutboxAttempt).count() == attempts
        assert len(sub_smtp.handler.messages) == sent_before  # nothing sent again
        assert journal.verify(now=clock()).ok

        again = target.test_cli_runner().invoke(
            args=["rgpd", "restore", str(archive), "--password-stdin"], input=PASSWORD + "\n"
        )
        assert again.exit_code == 1
        assert "la base cible n'est pas vide" in again.output
        assert "journal_entry (" in again.output and "organisation (3 ligne(s))" in again.output
        db.session.remove()
        db.engine.dispose()


def test_a_wrong_password_or_a_changed_file_is_refused_before_anything(app, runner, tmp_path):
    from encryption import write_encrypted_zip

    result = runner.invoke(args=["rgpd", "backup", str(tmp_path), "--password-stdin"],
                           input=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    (archive,) = tmp_path.glob("rgpd-backup-*.zip")
    wrong = runner.invoke(
        args=["rgpd", "restore", str(archive), "--password-stdin"], input="not-the-password-x\n"
    )
    assert wrong.exit_code == 1 and "Archive refusée" in wrong.output

    # Re-packed with a secret changed after its manifest was written.
    unpacked = tmp_path / "unpacked"
    from encryption import extract_archive

    extract_archive(archive, unpacked, PASSWORD)
    (unpacked / "secrets/secret_key").write_text("another key")
    forged = tmp_path / "forged.zip"
    files = sorted(p for p in unpacked.rglob("*") if p.is_file())
    write_encrypted_zip(forged, [(p, p.relative_to(unpacked).as_posix()) for p in files], PASSWORD)
    changed = runner.invoke(
        args=["rgpd", "restore", str(forged), "--password-stdin"], input=PASSWORD + "\n"
    )
    assert changed.exit_code == 1
    assert "Empreinte SHA-256 différente du manifeste : secrets/secret_key." in changed.output


def test_a_backup_needs_a_long_enough_password(app, runner, tmp_path):
    result = runner.invoke(args=["rgpd", "backup", str(tmp_path), "--password-stdin"],
                           input="short\n")  # fmt: skip
    assert result.exit_code == 1 and "Mot de passe de moins de" in result.output
    assert not list(tmp_path.glob("*.zip"))


def test_the_manifest_lists_every_file_with_its_sha256(app, runner, tmp_path, clock):
    from encryption import extract_archive

    runner.invoke(args=["rgpd", "backup", str(tmp_path), "--password-stdin"],
                  input=PASSWORD + "\n")  # fmt: skip
    (archive,) = tmp_path.glob("rgpd-backup-*.zip")
    extract_archive(archive, tmp_path / "x", PASSWORD)
    manifest = json.loads((tmp_path / "x/manifest.json").read_text())
    assert manifest["format"] == "rgpd_app-backup/1"
    assert manifest["created_at"] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC).isoformat()
    assert manifest["database"] in ("sqlite", "postgresql")
    assert set(manifest["files"]) >= {"secrets/secret_key"}
    assert any(name.startswith("database/") for name in manifest["files"])
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
