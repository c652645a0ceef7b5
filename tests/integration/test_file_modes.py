"""Every file the application writes is its owner's only: files 0600, folders 0700 (ASVS 5.0
V14.2.4), whatever the umask of the process that writes them; each kind is made the real way."""

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, text

from rgpd_app.deposits import services as deposits
from rgpd_app.deposits import storage
from rgpd_app.deposits.models import Deposit
from rgpd_app.exports.jobs import services as jobs
from rgpd_app.extensions import db
from rgpd_app.files import folder
from rgpd_app.scheduler import drain_queues
from tests.deposits_support import CSV, aes_zip


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask most systems give a service (0022): without our modes, files would be 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_owner_only(app, *files: Path) -> None:
    """Each file 0600, and each folder from the storage root down to it 0700."""
    root = Path(app.config["STORAGE_ROOT"])
    for path in files:
        assert path.is_file() and mode(path) == 0o600, (path, oct(mode(path)))
        for parent in [path.parent, *path.parent.parents]:
            assert mode(parent) == 0o700, (parent, oct(mode(parent)))
            if parent == root:
                break
        else:
            raise AssertionError(f"{path} is not under the storage root {root}")


def test_asvs_v14_2_4_sqlite_database_and_its_wal_files_created_owner_only(app, backend, make_org):
    if backend != "sqlite":
        pytest.skip("the database files are SQLite's")
    make_org("Ville-Close")  # a write: the -wal and -shm files exist while connections are open
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    database = Path(db.engine.url.database)
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):  # fmt: skip
        assert mode(path) == 0o600, (path, oct(mode(path)))


def test_asvs_v14_2_4_uploaded_attachments_created_owner_only(app, given):
    from rgpd_app.instructions.storage import path_of

    assert_owner_only(app, *(path_of(a) for a in given.attachments))


def test_asvs_v14_2_4_audit_documents_created_owner_only(app, requested):
    from rgpd_app.audits.storage import path_of

    assert_owner_only(app, *(path_of(d) for d in requested.documents))


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "ods"])
def test_asvs_v14_2_4_exports_built_by_the_worker_created_owner_only(
    app, client, login_as, make_user, make_org, fmt
):
    make_org("Ville-Longue")
    app.config["EXPORT_INLINE_MAX_ROWS"] = {"xlsx": -1, "ods": -1, "pdf": -1}  # always queued
    login_as(make_user("processor_dpo"))
    # A GET asks for confirmation; the POST of that form queues the job (ASVS V3.5.3).
    answer = client.post("/register/export", data={"format": fmt, "register": "processor"})
    assert answer.status_code == 302 and "/exports/" in answer.headers["Location"]
    assert drain_queues() == {"exports": 1}
    assert_owner_only(app, *folder(jobs.FOLDER).iterdir())


def test_asvs_v14_2_4_pdf_chunks_of_the_renderer_created_owner_only(tmp_path):
    pytest.importorskip("weasyprint")
    from rgpd_app.exports.pdf_layout import lay_out

    chunk = Path(lay_out("<p>Registre</p>", str(tmp_path / "000000.pdf")))
    assert mode(chunk) == 0o600


def test_asvs_v14_2_4_deposits_their_spool_and_their_folders_created_owner_only(
    app, client, login_as, make_org, tmp_path, monkeypatch
):
    town = make_org("Ville-Haute")
    spooled = []
    receive = deposits.receive_upload

    def spy(incoming, data, **kwargs):
        spooled.append(mode(incoming.path))
        return receive(incoming, data, **kwargs)

    monkeypatch.setattr(deposits, "receive_upload", spy)
    login_as("controller_dpo", town)
    archive = aes_zip(tmp_path / "donnees.zip")
    answer = client.post(
        "/deposits/receive",
        data={"file": (io.BytesIO(archive.read_bytes()), "donnees.zip")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.text
    assert spooled == [0o600]
    received = db.session.scalar(select(Deposit))
    assert_owner_only(app, storage.path_of(received))
    assert mode(storage.incoming_dir()) == 0o700


def test_asvs_v14_2_4_sent_deposits_and_certificates_created_owner_only(
    app, client, login_as, make_org
):
    town = make_org("Ville-Basse")
    app.config["FTP_HOST"] = "127.0.0.1"
    login_as("support")
    sent = client.post(
        "/deposits/send",
        data={"file": (io.BytesIO(CSV), "liste.csv"), "organisation_id": town.id},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.text
    assert_owner_only(app, storage.path_of(db.session.scalar(select(Deposit))))
    opened = client.post(
        "/deposits/interventions/new",
        data={"organisation_id": town.id, "reference": "T-7", "purpose": "Ticket de support"},
    )
    assert opened.status_code == 302
    intervention = opened.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert client.post(f"/deposits/interventions/{intervention}/close").status_code == 302
    login_as("processor_dpo")
    assert client.post(f"/deposits/interventions/{intervention}/validate").status_code == 302
    certificates = list(Path(app.config["STORAGE_ROOT"]).rglob("*.pdf"))
    assert len(certificates) == 1
    assert_owner_only(app, *certificates)
