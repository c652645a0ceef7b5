"""Evidence packs from the web: asked by a DPO, built by the worker with its password shown once,
downloaded, verified on the "verify a pack" page; and the roles that must be refused."""

import io
import json
import re

import pytest
from sqlalchemy import select, text

from encryption import AesZipWriter
from rgpd_app.exports.models import DONE, ExportJob
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.scheduler import drain_queues


@pytest.fixture
def town(make_org):
    return make_org("Commune de Thionville", departement="57")


def _ask(client, **form):
    answer = client.post("/evidence/", data=form)
    assert answer.status_code == 202, answer.get_data(as_text=True)
    page = answer.get_data(as_text=True)
    password = re.search(r'<code id="pack-password">([^<]+)</code>', page).group(1)
    assert answer.headers["Cache-Control"] == "no-store"
    job = db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc())).first()
    return job, password


def _verify_page(client, content: bytes, password: str) -> str:
    answer = client.post(
        "/evidence/verify",
        data={"pack": (io.BytesIO(content), "paquet.zip"), "password": password},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_the_town_dpo_builds_downloads_and_verifies_a_pack(client, login_as, town):
    login_as("controller_dpo", town)
    job, password = _ask(client, **{"from": "2026-01-01"})
    assert job.kind == "evidence" and job.fmt == "zip" and job.organisation_id == town.id
    assert job.secret == password  # kept (encrypted) for the worker only
    raw = db.session.execute(text("SELECT secret FROM export_job WHERE id = :i"), {"i": job.id})
    raw = raw.scalar()
    assert password not in raw  # sealed in the database
    assert drain_queues() == {"exports": 1}
    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.state == DONE and job.secret is None and len(job.sha256) == 64
    page = client.get(f"/exports/{job.public_id}").get_data(as_text=True)
    assert job.sha256 in page
    download = client.get(f"/exports/{job.public_id}/file")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    content = download.get_data()
    assert "intègre" in _verify_page(client, content, password)
    actions = db.session.scalars(select(JournalEntry.action)).all()
    assert {"evidence.built", "export.downloaded"} <= set(actions)
    assert not any(password in d for d in db.session.scalars(select(JournalEntry.details)))


def test_the_verify_page_names_what_was_tampered(client, login_as, town):
    from pathlib import Path
    from tempfile import TemporaryDirectory

    from rgpd_app.evidence.verify import read_members

    login_as("controller_dpo", town)
    job, password = _ask(client)
    drain_queues()
    content = client.get(f"/exports/{job.public_id}/file").get_data()
    with TemporaryDirectory() as folder:
        original = Path(folder) / "p.zip"
        original.write_bytes(content)
        members = read_members(original, password)
        members["LISEZMOI.txt"] += b"!"
        tampered = Path(folder) / "t.zip"
        with tampered.open("wb") as out, AesZipWriter(out, password) as writer:
            for name, data in members.items():
                writer.add_bytes(data, name)
        page = _verify_page(client, tampered.read_bytes(), password)
    assert "Fichier modifié" in page and "LISEZMOI.txt" in page
    wrong = _verify_page(client, content, "Pas-le-bon-mot-de-passe-2026")
    assert "mot de passe faux" in wrong
    empty = client.post("/evidence/verify", data={}, content_type="multipart/form-data")
    assert "Joignez le paquet" in empty.get_data(as_text=True)


def test_the_processor_dpo_picks_the_municipality_by_name_or_siren(client, login_as, make_org):
    first = make_org("Commune de Saint-Avold", departement="57")
    make_org("Commune de Saint-Brieuc", departement="22")
    login_as("processor_dpo")
    job, _ = _ask(client, controller="saint-avold")
    assert job.organisation_id == first.id
    job, _ = _ask(client, controller=first.siren)
    assert job.organisation_id == first.id
    several = client.post("/evidence/", data={"controller": "Saint"})
    body = several.get_data(as_text=True)
    assert several.status_code == 200 and "Plusieurs collectivités" in body
    assert 'href="#controller"' in body
    none = client.post("/evidence/", data={"controller": "Atlantide"})
    assert "Aucune collectivité" in none.get_data(as_text=True)
    future = client.post("/evidence/", data={"controller": first.siren, "to": "2999-01-01"})
    assert "futur" in future.get_data(as_text=True)
    assert db.session.query(ExportJob).count() == 2  # the refusals queued nothing


@pytest.mark.parametrize("role", ["instructor", "support", "security_officer", "admin"])
def test_other_roles_may_not_build_packs(client, login_as, town, role):
    org = town if role == "instructor" else None
    login_as(role, org)
    assert client.get("/evidence/").status_code == 403
    assert client.post("/evidence/", data={"controller": town.siren}).status_code == 403


def test_a_town_dpo_cannot_build_another_towns_pack(client, login_as, town, make_org):
    other = make_org("Commune de Metz", departement="57")
    login_as("controller_dpo", town)
    job, _ = _ask(client, controller=other.siren)  # the field is ignored: its own town only
    assert job.organisation_id == town.id


def test_the_published_keys_need_no_login(client):
    answer = client.get("/.well-known/rgpd-evidence-keys.json")
    assert answer.status_code == 200
    keys = answer.get_json()["keys"]
    assert len(keys) == 1 and keys[0]["kid"].startswith("ed25519:")
    assert "PRIVATE" not in json.dumps(keys)


def test_the_api_queues_a_pack_and_checks_one(api, make_user, town):
    dpo = make_user("controller_dpo", town)
    answer = api(dpo).post("/api/v1/evidence-packs", json={"from": "2026-01-01"})
    assert answer.status_code == 202 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["state"] == "queued" and len(body["password"]) >= 20
    assert answer.headers["Location"] == body["status_url"]
    drain_queues()
    status = api(dpo).get(body["status_url"]).get_json()
    assert status["state"] == "done" and status["sha256"] and "password" not in status
    content = api(dpo).get(status["file_url"]).get_data()
    checked = api(dpo).post("/api/v1/evidence-packs/verify", data=content,
                            headers={"X-Pack-Password": body["password"]})  # fmt: skip
    assert checked.get_json() == {"intact": True, "problems": []}
    bad = api(dpo).post("/api/v1/evidence-packs/verify", data=content[:-10],
                        headers={"X-Pack-Password": body["password"]})  # fmt: skip
    assert bad.get_json()["intact"] is False
    assert api(dpo).post("/api/v1/evidence-packs", json=[]).status_code == 400
    wrong = api(dpo).post("/api/v1/evidence-packs", json={"to": "demain"})
    assert wrong.status_code == 400


def test_the_api_refuses_other_roles(api, make_user, town):
    instructor = make_user("instructor", town)
    assert api(instructor).post("/api/v1/evidence-packs", json={}).status_code == 403
    assert api(instructor).post("/api/v1/evidence-packs/verify", data=b"x").status_code == 403
