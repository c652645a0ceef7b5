"""Deposit pages and /api/v1/deposits: uploads refused at once, the password shown once,
intervention closure, the overdue flag, refused roles and the foreign municipality."""

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from encryption import verify_archive
from rgpd_app.deposits import rules, services, storage
from rgpd_app.deposits.models import Deposit, Intervention
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from tests.api_support import problem_fields
from tests.deposits_support import CSV, aes_zip, plain_zip, zipcrypto_zip


@pytest.fixture
def town(make_org):
    return make_org("Ville-Haute")


@pytest.fixture
def other_town(make_org):
    return make_org("Ville-Basse")


def kept_files(app) -> list[Path]:
    root = Path(app.config["STORAGE_ROOT"]) / "deposits"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(client, path: Path, **form):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), **form}
    return client.post("/deposits/receive", data=data, content_type="multipart/form-data")


def closed(response):
    """Read a (file) answer and close it, so its file handle does not leak."""
    response.get_data()
    response.close()
    return response


def journal_actions() -> list[str]:
    return list(db.session.scalars(select(JournalEntry.action).order_by(JournalEntry.id)))


def count_deposits() -> int:
    return db.session.scalar(select(db.func.count(Deposit.id)))


def made_deposit(app, make_user, town, clock, tmp_path) -> Deposit:
    user = make_user("controller_dpo", town)
    incoming = storage.incoming_dir() / "t.part"
    incoming.write_bytes(aes_zip(tmp_path / "a.zip").read_bytes())
    return services.receive_upload(
        storage.IncomingFile(incoming, "a.zip"), {}, actor=actor_for(user, clock()), now=clock()
    )


def test_a_municipality_uploads_an_aes256_archive(app, client, login_as, town, tmp_path):
    login_as("controller_dpo", town)
    answer = upload(client, aes_zip(tmp_path / "donnees.zip"))
    assert answer.status_code == 302, answer.data
    deposit = db.session.scalar(select(Deposit))
    assert (deposit.organisation_id, deposit.state, deposit.original_filename) == (
        town.id, rules.VERIFIED, "donnees.zip",
    )  # fmt: skip
    assert kept_files(app) == [storage.path_of(deposit)]
    assert storage.path_of(deposit).name == deposit.stored_name != "donnees.zip"
    assert "deposit.received" in journal_actions()
    page = client.get(f"/deposits/{deposit.id}")
    assert page.status_code == 200 and "AES-256" in page.text
    download = closed(client.get(f"/deposits/{deposit.id}/download"))
    assert download.status_code == 200 and download.data == (tmp_path / "donnees.zip").read_bytes()
    assert "deposit.downloaded" in journal_actions()


@pytest.mark.parametrize(
    ("maker", "code", "reason"),
    [(zipcrypto_zip, "zipcrypto", "ZipCrypto"), (plain_zip, "unencrypted_entry", "liste.csv")],
)
def test_a_zipcrypto_or_plain_zip_is_refused_at_once_and_not_kept(
    app, client, login_as, town, tmp_path, maker, code, reason
):
    login_as("controller_dpo", town)
    answer = upload(client, maker(tmp_path / "envoi.zip"))
    assert answer.status_code == 400
    assert "pas une archive zip chiffrée en AES-256" in answer.text and reason in answer.text
    assert count_deposits() == 0 and kept_files(app) == []
    refusal = db.session.scalar(
        select(JournalEntry).where(JournalEntry.action == "deposit.refused")
    )
    assert code in refusal.details and "envoi.zip" in refusal.details
    assert refusal.organisation_id == town.id


def test_a_file_that_is_not_a_zip_and_a_missing_file_are_refused(app, client, login_as, town):
    login_as("controller_dpo", town)
    text = client.post("/deposits/receive", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(CSV), "liste.csv")})  # fmt: skip
    assert text.status_code == 400 and "not_a_zip" not in text.text
    missing = client.post("/deposits/receive", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "Joignez" in missing.text
    assert count_deposits() == 0 and kept_files(app) == []


def test_an_upload_above_the_limit_is_refused_and_not_kept(app, client, login_as, town, tmp_path):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    login_as("controller_dpo", town)
    big = aes_zip(tmp_path / "gros.zip", {"a.bin": os.urandom(5000)})
    answer = upload(client, big)
    assert answer.status_code == 413 and "trop volumineux" in answer.text
    assert count_deposits() == 0 and kept_files(app) == []


def test_processor_staff_must_choose_the_municipality(app, client, login_as, town, tmp_path):
    login_as("support")
    answer = upload(client, aes_zip(tmp_path / "a.zip"))
    assert answer.status_code == 400 and "Choisissez la collectivité" in answer.text
    assert upload(client, aes_zip(tmp_path / "b.zip"), organisation_id=town.id).status_code == 302


def test_a_municipality_cannot_upload_for_another_one(
    app, client, login_as, town, other_town, tmp_path
):
    login_as("controller_dpo", town)
    answer = upload(client, aes_zip(tmp_path / "a.zip"), organisation_id=other_town.id)
    assert answer.status_code == 404
    assert count_deposits() == 0 and kept_files(app) == []


def test_the_agent_sees_the_password_once_and_the_plain_file_is_gone(app, client, login_as, town):
    app.config["FTP_HOST"] = "127.0.0.1"
    login_as("support")
    answer = client.post(
        "/deposits/send",
        data={"file": (io.BytesIO(CSV), "liste_dupont.csv"), "organisation_id": town.id},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    password = answer.text.split('id="archive-password">')[1].split("<")[0]
    assert len(password) >= 20 and "téléphone" in answer.text
    deposit = db.session.scalar(select(Deposit))
    assert deposit.state == rules.PENDING_UPLOAD and deposit.direction == rules.SENT
    assert kept_files(app) == [storage.path_of(deposit)]  # the encrypted archive only
    verify_archive(storage.path_of(deposit), password)
    page = client.get(f"/deposits/{deposit.id}")
    assert password not in page.text
    every_row = str(db.session.execute(select(JournalEntry.details)).all()) + str(
        db.session.execute(select(Deposit.__table__)).all()
    )
    assert password not in every_row


def test_sending_without_an_ftp_server_is_refused(app, client, login_as, town):
    app.config["FTP_HOST"] = ""
    login_as("support")
    answer = client.post(
        "/deposits/send",
        data={"file": (io.BytesIO(CSV), "a.csv"), "organisation_id": town.id},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400 and "RGPD_FTP_HOST" in answer.text
    assert count_deposits() == 0 and kept_files(app) == []


def test_intervention_closure_is_validated_by_another_person_and_destroys_files(
    app, client, login_as, make_user, town, tmp_path
):
    support = login_as("support")
    opened = client.post("/deposits/interventions/new",
                         data={"organisation_id": town.id, "reference": "T-42",
                               "purpose": "Ticket de support"})  # fmt: skip
    assert opened.status_code == 302
    item = db.session.scalar(select(Intervention))
    upload(client, aes_zip(tmp_path / "a.zip"), organisation_id=town.id, intervention_id=item.id)
    deposit = db.session.scalar(select(Deposit))
    assert deposit.intervention_id == item.id
    assert client.post(f"/deposits/interventions/{item.id}/close").status_code == 302
    assert client.post(f"/deposits/interventions/{item.id}/validate").status_code == 403
    dpo = login_as("processor_dpo")
    assert support.id != dpo.id
    assert client.post(f"/deposits/interventions/{item.id}/validate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Deposit, deposit.id).state == rules.DESTROYED
    assert kept_files(app) == [next(iter(Path(app.config["STORAGE_ROOT"]).rglob("*.pdf")))]
    pdf = closed(client.get(f"/deposits/interventions/{item.id}/certificate.pdf"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert (
        closed(client.get(f"/deposits/{deposit.id}/download")).status_code == 403
    )  # DPO reads only
    login_as("support")
    gone = closed(client.get(f"/deposits/{deposit.id}/download"))
    assert gone.status_code == 409 and "détruit" in gone.text


def test_the_same_person_cannot_close_and_validate(app, login_as, make_user, town, clock):
    dpo = actor_for(make_user("processor_dpo"), clock())
    support = actor_for(make_user("support"), clock())
    item = services.open_intervention({"organisation_id": town.id, "reference": "R",
                                       "purpose": "Objet"}, actor=support, now=clock())  # fmt: skip
    services.close_intervention(item.id, actor=dpo, now=clock())
    with pytest.raises(Exception, match="autre personne"):
        services.validate_intervention(item.id, actor=dpo, now=clock())


def test_a_deposit_held_too_long_is_flagged_in_the_list_and_in_mes_echeances(
    app, client, login_as, make_user, town, clock, tmp_path
):
    deposit = made_deposit(app, make_user, town, clock, tmp_path)
    login_as("support")
    assert "à détruire" not in client.get("/deposits/").text
    clock.advance(days=30, minutes=1)
    login_as("support")  # the idle session expired meanwhile
    listing = client.get("/deposits/")
    assert "conservé trop longtemps" in listing.text
    assert client.get("/deposits/?overdue=1").text.count('class="deposit overdue"') == 1
    assert f"Dépôt n° {deposit.id}" in client.get("/echeances/").text
    login_as("controller_dpo", town)
    assert f"Dépôt n° {deposit.id}" in client.get("/echeances/").text


@pytest.mark.parametrize("role", ["admin", "instructor", "auditor"])
def test_other_roles_are_refused(
    app, client, login_as, make_user, town, clock, tmp_path, role, api
):
    deposit = made_deposit(app, make_user, town, clock, tmp_path)
    today = clock().date()
    auditor = {"controller_id": town.id, "valid_from_on": today, "valid_until_on": today}
    grant = auditor if role == "auditor" else {}
    org = None if role == "admin" else town
    user = login_as(role, org, **grant)
    for url in ("/deposits/", f"/deposits/{deposit.id}", f"/deposits/{deposit.id}/download",
                "/deposits/receive", "/deposits/send", "/deposits/interventions/"):  # fmt: skip
        assert closed(client.get(url)).status_code == 403, url
    assert api(user).get("/api/v1/deposits").status_code == 403


def test_a_foreign_municipality_gets_404(
    app, client, login_as, make_user, town, other_town, clock, tmp_path, api
):
    deposit = made_deposit(app, make_user, town, clock, tmp_path)
    user = login_as("controller_dpo", other_town)
    for url in (f"/deposits/{deposit.id}", f"/deposits/{deposit.id}/download"):
        assert closed(client.get(url)).status_code == 404, url
    assert "Aucun dépôt" in client.get("/deposits/").text
    caller = api(user)
    assert caller.get(f"/api/v1/deposits/{deposit.id}").status_code == 404
    assert closed(caller.get(f"/api/v1/deposits/{deposit.id}/download")).status_code == 404
    assert caller.get("/api/v1/deposits").json["total"] == 0


def test_the_api_lists_details_and_downloads_for_the_right_roles(
    app, api, make_user, town, clock, tmp_path
):
    deposit = made_deposit(app, make_user, town, clock, tmp_path)
    support = api(make_user("support"))
    listing = support.get("/api/v1/deposits?direction=received")
    assert listing.status_code == 200 and listing.json["total"] == 1
    item = listing.json["items"][0]
    assert (item["id"], item["state"], item["is_overdue"]) == (deposit.id, "verified", False)
    assert support.get(f"/api/v1/deposits/{deposit.id}").json["sha256"] == deposit.sha256
    download = closed(support.get(f"/api/v1/deposits/{deposit.id}/download"))
    assert download.status_code == 200 and download.mimetype == "application/zip"
    dpo = api(make_user("processor_dpo"))
    assert dpo.get(f"/api/v1/deposits/{deposit.id}").status_code == 200
    assert closed(dpo.get(f"/api/v1/deposits/{deposit.id}/download")).status_code == 403
    town_dpo = api(make_user("controller_dpo", town))
    assert closed(town_dpo.get(f"/api/v1/deposits/{deposit.id}/download")).status_code == 200
    bad = support.get("/api/v1/deposits?state=inconnu")
    assert bad.status_code == 400 and "state" in problem_fields(bad.json)
    clock.advance(days=31)
    assert support.get("/api/v1/deposits?overdue=true").json["items"][0]["is_overdue"] is True
    actions = journal_actions()
    assert actions.count("deposit.downloaded") == 2 and "deposit.list" in actions


def test_a_quarantined_file_is_handed_only_to_the_security_officer(
    app, api, make_user, town, clock, tmp_path
):
    deposit = made_deposit(app, make_user, town, clock, tmp_path)
    path = storage.path_of(deposit)
    deposit.state = rules.QUARANTINED
    storage.place(path, deposit)
    db.session.commit()
    assert (
        closed(api(make_user("support")).get(f"/api/v1/deposits/{deposit.id}/download")).status_code
        == 403
    )
    security = api(make_user("security_officer"))
    assert closed(security.get(f"/api/v1/deposits/{deposit.id}/download")).status_code == 200


def test_the_menu_shows_the_deposits_to_the_roles_concerned(app, client, login_as, town):
    login_as("controller_dpo", town)
    assert "Dépôts de fichiers" in client.get("/deposits/").text
    login_as("instructor", town)
    assert client.get("/deposits/").status_code == 403


def test_an_upload_is_spooled_to_a_file_under_the_storage_root(
    app, client, login_as, town, tmp_path, monkeypatch
):
    seen = []
    original = services.receive_upload

    def spy(incoming, data, **kwargs):
        seen.append((incoming.path, incoming.path.exists()))
        return original(incoming, data, **kwargs)

    monkeypatch.setattr(services, "receive_upload", spy)
    login_as("controller_dpo", town)
    assert upload(client, aes_zip(tmp_path / "petit.zip")).status_code == 302
    ((path, existed),) = seen
    assert existed and path.parent == Path(app.config["STORAGE_ROOT"]) / "deposits" / "incoming"
    assert not path.exists()  # renamed into storage
    assert list(path.parent.iterdir()) == []


def test_every_page_renders_for_the_support(
    app, client, login_as, make_user, town, clock, tmp_path
):
    deposit = made_deposit(app, make_user, town, clock, tmp_path)
    login_as("support")
    item = services.open_intervention(
        {"organisation_id": town.id, "reference": "T-7", "purpose": "Ticket"},
        actor=actor_for(make_user("support"), clock()),
        now=clock(),
    )
    pages = ["/deposits/receive", "/deposits/send", "/deposits/interventions/",
             "/deposits/interventions/new", f"/deposits/interventions/{item.id}",
             f"/deposits/{deposit.id}"]  # fmt: skip
    for url in pages:
        assert client.get(url).status_code == 200, url
    detail = client.get(f"/deposits/{deposit.id}").text
    assert "Rattacher" in detail and "T-7" in detail
    attached = client.post(f"/deposits/{deposit.id}/attach", data={"intervention_id": item.id})
    assert attached.status_code == 302
    assert "T-7" in client.get("/deposits/interventions/").text
    destroyed = client.post(f"/deposits/{deposit.id}/destroy")
    assert destroyed.status_code == 302 and kept_files(app) == []
    assert client.post(f"/deposits/{deposit.id}/destroy").status_code == 409
