"""Deposits against a real FTP server (pyftpdlib on 127.0.0.1, FTPS when pyOpenSSL is there):
the inbox poll, quarantine, sending with retries while the server is down, destruction."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from encryption import extract_archive, verify_archive
from rgpd_app.deposits import ftp, rules, services, storage
from rgpd_app.deposits.models import Deposit
from rgpd_app.deposits.storage import IncomingFile
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.scheduler import JOBS, tick
from tests.deposits_support import CSV, aes_zip, ftp_server_for, has_pyopenssl, plain_zip


@pytest.fixture
def server(app, tmp_path):
    running = ftp_server_for(app, tmp_path)
    yield running
    running.stop()


@pytest.fixture
def town(make_org):
    return make_org("Ville-sur-Moselle", departement="57")


@pytest.fixture
def staff(make_user, town):
    class Staff:
        support = make_user("support")
        security = make_user("security_officer")
        dpo = make_user("processor_dpo")

    return Staff


def actor(user, clock):
    return actor_for(user, clock())


def emails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def actions() -> list[str]:
    return list(db.session.scalars(select(JournalEntry.action).order_by(JournalEntry.id)))


def test_the_ftp_jobs_are_registered_with_the_worker(app):
    names = {name for name, _ in JOBS}
    assert {"deposits.ftp_poll", "deposits.ftp_upload", "deposits.ftp_cleanup"} <= names


def test_the_server_speaks_tls_when_pyopenssl_is_installed(server):
    assert bool(server.tls) == has_pyopenssl()


def test_the_inbox_is_taken_once_and_a_plain_zip_is_quarantined_and_reported(
    app, server, town, staff, clock
):
    inbox = server.home / "depot" / town.siren
    inbox.mkdir()
    aes_zip(inbox / "cadastre.zip")
    plain_zip(inbox / "liste-en-clair.zip")
    assert services.poll_inbox(now=clock()) == 2
    by_name = {d.original_filename: d for d in db.session.scalars(select(Deposit))}
    good, bad = by_name["cadastre.zip"], by_name["liste-en-clair.zip"]
    assert (good.state, good.organisation_id, good.source) == (rules.VERIFIED, town.id, "ftp")
    assert storage.path_of(good).read_bytes() == (inbox / "cadastre.zip").read_bytes()
    assert (bad.state, bad.check_code) == (rules.QUARANTINED, "unencrypted_entry")
    assert storage.path_of(bad).parent.name == "quarantine" and storage.path_of(bad).exists()
    assert not (inbox / "liste-en-clair.zip").exists()  # clear data does not stay on the FTP
    assert bad.remote_deleted_at == clock()
    for address in (town.dpo_email, staff.security.email):
        (mail,) = emails_to(address)
        assert "AES-256" in mail.subject and "liste-en-clair.zip" in mail.body_text
    assert {"deposit.received", "deposit.verified", "deposit.quarantined"} <= set(actions())
    # The next poll, at the same instant or later, takes nothing twice.
    assert services.poll_inbox(now=clock()) == 0
    clock.advance(minutes=5)
    assert services.poll_inbox(now=clock()) == 0
    assert db.session.scalar(select(db.func.count(Deposit.id))) == 2


def test_a_file_in_an_intervention_folder_is_attached_to_it(app, server, town, staff, clock):
    item = services.open_intervention(
        {"organisation_id": town.id, "reference": "CAD-2026", "purpose": "Cadastre annuel"},
        actor=actor(staff.support, clock),
        now=clock(),
    )
    folder = server.home / "depot" / town.siren / "CAD-2026"
    folder.mkdir(parents=True)
    aes_zip(folder / "majic.zip")
    (server.home / "depot" / "fichier-sans-dossier.zip").write_bytes(
        aes_zip(Path(server.home) / "x.zip").read_bytes()
    )
    assert services.poll_inbox(now=clock()) == 2
    deposits = {d.original_filename: d for d in db.session.scalars(select(Deposit))}
    assert deposits["majic.zip"].intervention_id == item.id
    assert deposits["fichier-sans-dossier.zip"].organisation_id is None  # processor staff only


def test_a_sent_file_waits_while_the_server_is_down_and_is_uploaded_once_when_back(
    app, server, town, staff, clock, tmp_path
):
    plain = storage.incoming_dir() / "upload-test.part"
    plain.write_bytes(CSV)
    deposit, password = services.send_file(
        IncomingFile(plain, "liste_electorale.csv"),
        {"organisation_id": town.id},
        actor=actor(staff.support, clock),
        now=clock(),
    )
    assert not plain.exists()  # the plain file is deleted at once
    assert deposit.state == rules.PENDING_UPLOAD and deposit.recipient_email == town.dpo_email
    stored = storage.path_of(deposit)
    assert [e.name for e in verify_archive(stored, password)] == ["file-001.csv"]
    assert password not in str(db.session.execute(select(JournalEntry.details)).all())

    server.stop()
    assert services.upload_pending(now=clock()) == "unavailable"
    db.session.refresh(deposit)
    assert deposit.state == rules.PENDING_UPLOAD and deposit.upload_attempts == 1
    assert deposit.next_upload_at == clock() + timedelta(minutes=1)
    assert "Connexion FTP impossible" in deposit.last_error
    assert services.upload_pending(now=clock()) == 0  # same tick again: nothing due, no change
    clock.advance(minutes=1)
    assert services.upload_pending(now=clock()) == "unavailable"
    db.session.refresh(deposit)
    assert deposit.upload_attempts == 2 and deposit.next_upload_at == clock() + timedelta(minutes=2)
    assert emails_to(town.dpo_email) == []

    server.start()
    clock.advance(minutes=2)
    assert services.upload_pending(now=clock()) == 1
    db.session.refresh(deposit)
    assert deposit.state == rules.STATE_SENT and deposit.sent_at == clock()
    remote = server.home / deposit.remote_path.lstrip("/")
    assert remote.parent == server.home / "retrait" / town.siren
    assert remote.read_bytes() == stored.read_bytes()
    assert [p.name for p in remote.parent.iterdir()] == [remote.name]  # no partial file left
    extract_archive(remote, tmp_path / "out", password)
    assert (tmp_path / "out" / "file-001.csv").read_bytes() == CSV
    (mail,) = emails_to(town.dpo_email)
    assert deposit.remote_path in mail.body_text and password not in mail.body_text
    assert "téléphone" in mail.body_text
    assert services.upload_pending(now=clock()) == 0
    assert len(emails_to(town.dpo_email)) == 1


def test_validating_the_closure_destroys_files_here_and_on_the_ftp_and_certifies_it(
    app, server, town, staff, clock
):
    support, dpo = actor(staff.support, clock), actor(staff.dpo, clock)
    item = services.open_intervention(
        {"organisation_id": town.id, "reference": "T-1234", "purpose": "Ticket de support"},
        actor=support,
        now=clock(),
    )
    folder = server.home / "depot" / town.siren / "T-1234"
    folder.mkdir(parents=True)
    aes_zip(folder / "export.zip")
    services.poll_inbox(now=clock())
    plain = storage.incoming_dir() / "upload-x.part"
    plain.write_bytes(CSV)
    sent, _ = services.send_file(
        IncomingFile(plain, "retour.csv"),
        {"organisation_id": town.id, "intervention_id": item.id},
        actor=support,
        now=clock(),
    )
    services.upload_pending(now=clock())
    received = db.session.scalar(select(Deposit).where(Deposit.source == "ftp"))
    locals_ = [storage.path_of(received), storage.path_of(sent)]
    remotes = [folder / "export.zip", server.home / sent.remote_path.lstrip("/")]
    assert all(p.exists() for p in locals_ + remotes)

    with pytest.raises(Exception, match="doit d'abord être close"):
        services.validate_intervention(item.id, actor=dpo, now=clock())
    clock.advance(days=3)
    services.close_intervention(item.id, actor=support, now=clock())
    server.stop()
    clock.advance(hours=2)
    services.validate_intervention(item.id, actor=dpo, now=clock())
    assert not any(p.exists() for p in locals_)
    for deposit in (received, sent):
        db.session.refresh(deposit)
        assert deposit.state == rules.DESTROYED and deposit.destroyed_by_id == staff.dpo.id
    assert item.certificate_name is None  # the FTP copies are still there
    assert services.delete_remote_copies(now=clock()) == "unavailable"

    server.start()
    clock.advance(minutes=1)
    assert services.delete_remote_copies(now=clock()) == 2
    assert not any(p.exists() for p in remotes)
    db.session.refresh(item)
    assert item.certificate_at == clock()
    pdf = storage.certificate_path(item.certificate_name).read_bytes()
    assert pdf.startswith(b"%PDF")
    (mail,) = [m for m in emails_to(town.dpo_email) if "certificat" in m.subject.lower()]
    assert item.certificate_sha256 in mail.body_text
    assert actions().count("deposit.destroyed") == 2
    assert actions().count("deposit.remote_deleted") == 2
    assert "intervention.certificate_issued" in actions()
    assert services.delete_remote_copies(now=clock()) == 0  # nothing issued twice


def test_the_worker_tick_runs_the_deposit_jobs_when_the_server_is_down(app, server, clock, town):
    server.stop()
    results = tick(clock())
    assert results["deposits.ftp_poll"] == "unavailable"
    assert results["deposits.ftp_upload"] == 0 and results["deposits.ftp_cleanup"] == 0


def test_plain_ftp_is_refused_towards_a_remote_host(app, clock):
    app.config.update(FTP_HOST="ftp.example.org", FTP_TLS=False)
    with pytest.raises(ftp.FtpMisconfigured, match="n'est permis que sur la boucle locale"):
        services.poll_inbox(now=clock())
    assert tick(clock())["deposits.ftp_poll"] == "unavailable"


def test_plain_ftp_on_the_loopback_works_for_tests(app, tmp_path, clock, town):
    server = ftp_server_for(app, tmp_path, tls=False)
    try:
        aes_zip(server.home / "depot" / "a.zip")
        assert services.poll_inbox(now=clock()) == 1
    finally:
        server.stop()


@pytest.mark.skipif(not has_pyopenssl(), reason="pyOpenSSL needed for an FTPS server")
def test_a_server_certificate_from_an_unknown_authority_is_refused(app, server, tmp_path, clock):
    from tests.deposits_support import self_signed_certificate

    other = tmp_path / "other"
    other.mkdir()
    app.config["FTP_CAFILE"] = str(self_signed_certificate(other)[0])
    with pytest.raises(ftp.FtpUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        services.poll_inbox(now=clock())


def test_a_deposit_left_unchecked_by_a_crash_is_checked_at_the_next_poll(app, clock, town):
    app.config["FTP_HOST"] = ""
    deposit = Deposit(organisation=town, direction="received", source="ftp",
                      state=rules.STATE_RECEIVED, original_filename="a.zip",
                      stored_name=storage.new_stored_name(), created_at=clock())  # fmt: skip
    db.session.add(deposit)
    db.session.commit()
    path = storage.path_of(deposit)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(aes_zip(path.parent / "src.zip"), path)
    assert services.poll_inbox(now=clock()) == "not configured"
    assert deposit.state == rules.VERIFIED
