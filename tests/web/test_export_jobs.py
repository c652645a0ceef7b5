"""Long register exports: queued by the page, the API or built by the CLI, built by the worker,
followed on their page, downloaded by their requester only, journaled, expired, and never left
half-written."""

import hashlib
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from rgpd_app.exports.jobs import services as jobs
from rgpd_app.exports.models import DONE, EXPIRED, FAILED, QUEUED, RUNNING, ExportJob
from rgpd_app.extensions import db
from rgpd_app.files import folder
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.register import services
from rgpd_app.scheduler import drain_queues, tick

NAMES = ["Cantine scolaire", "État civil", "=Listes électorales"]


@pytest.fixture
def keeper(make_user):
    return make_user("processor_dpo")


@pytest.fixture
def town(make_org, keeper, clock):
    town = make_org("Ville de Saint-Lô")
    actor = actor_for(keeper, clock())
    for name in NAMES:
        data = {
            "controller_id": town.id,
            "name": name,
            "purposes": [{"label": "Servir les usagers"}],
            "legal_bases": ["public_task"],
            "data_subjects": ["Usagers"],
            "data_categories": [
                {"label": "Identité", "purpose": "Servir les usagers",
                 "retention_value": 5, "retention_unit": "years"},
            ],
        }  # fmt: skip
        services.create_activity(data, actor=actor, now=clock())
    return town


@pytest.fixture
def small_limits(app):
    app.config["EXPORT_INLINE_MAX_ROWS"] = {"xlsx": 1, "ods": 1, "pdf": 1}


def _journal(action):
    return db.session.scalars(select(JournalEntry).where(JournalEntry.action == action)).all()


def _files():
    directory = folder(jobs.FOLDER)
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def _queue(client, fmt="xlsx", register="processor", **extra):
    data = {"format": fmt, "register": register, **extra}
    answer = client.post("/register/export", data=data)
    assert answer.status_code == 302 and "/exports/" in answer.headers["Location"]
    return answer.headers["Location"]


def test_a_plain_link_never_queues_a_job_it_asks_for_a_post(
    client, login_as, keeper, town, small_limits
):
    """ASVS 5.0 V3.5.3 / V8.2: a state change (a job in the queue) is made by POST only."""
    login_as(keeper)
    answer = client.get("/register/export?format=xlsx&register=processor")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Préparer l'export en arrière-plan" in page
    assert 'method="post"' in page and 'name="register" value="processor"' in page
    assert db.session.scalars(select(ExportJob)).all() == []
    assert _queue(client).startswith("/exports/")
    assert len(db.session.scalars(select(ExportJob)).all()) == 1


def test_a_long_export_is_queued_built_by_the_worker_then_downloaded(
    client, login_as, keeper, town, small_limits
):
    login_as(keeper)
    page_url = _queue(client)
    waiting = client.get(page_url).get_data(as_text=True)
    assert "En attente" in waiting and 'http-equiv="refresh"' in waiting and "0 / 3" in waiting
    assert _files() == []

    assert drain_queues() == {"exports": 1}
    ready = client.get(page_url).get_data(as_text=True)
    export = db.session.scalars(select(ExportJob)).one()
    assert export.state == DONE and export.rows_done == export.rows_total == 3
    assert "Prêt" in ready and 'http-equiv="refresh"' not in ready and export.sha256 in ready

    answer = client.get(f"{page_url}/file")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert "registre-art30-2.xlsx" in answer.headers["Content-Disposition"]
    assert hashlib.sha256(answer.data).hexdigest() == export.sha256 and export.size == len(
        answer.data
    )
    sheet = load_workbook(io.BytesIO(answer.data)).active
    names = sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == sorted(["Cantine scolaire", "État civil", "'=Listes électorales"])

    assert [json.loads(e.details)["rows"] for e in _journal("register.exported")] == [3]
    assert len(_journal("export.requested")) == len(_journal("export.built")) == 1
    assert [e.user_id for e in _journal("export.downloaded")] == [keeper.id]


def test_a_long_pdf_is_built_in_chunks_and_numbered_as_one_document(
    app, client, login_as, keeper, town, small_limits
):
    login_as(keeper)
    page_url = _queue(client, "pdf", "controller", controller_id=town.id)
    app.config["EXPORT_PDF_CHUNK_ROWS"] = 2
    drain_queues()
    data = client.get(f"{page_url}/file").data
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    text = "\n".join(pages)
    assert all(name in text for name in NAMES)
    assert "Ville de Saint-Lô" in text
    assert all(f"Page {n} / {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_only_the_requester_sees_and_downloads_the_export(
    client, login_as, make_user, keeper, town, small_limits
):
    login_as(keeper)
    page_url = _queue(client)
    drain_queues()
    login_as(make_user("processor_dpo"))
    assert client.get(page_url).status_code == 404
    assert client.get(f"{page_url}/file").status_code == 404
    assert "Aucun export" in client.get("/exports").get_data(as_text=True)
    assert _journal("export.downloaded") == []


def test_a_municipality_cannot_queue_another_ones_register(
    client, login_as, make_org, town, small_limits
):
    login_as("controller_dpo", make_org("Ville de Brest"))
    for answer in (
        client.get(f"/register/export?format=pdf&register=controller&controller_id={town.id}"),
        client.post(
            "/register/export",
            data={"format": "pdf", "register": "controller", "controller_id": town.id},
        ),  # fmt: skip
    ):
        assert answer.status_code == 404
    assert db.session.scalars(select(ExportJob)).all() == []


def test_rights_withdrawn_before_the_worker_runs_fail_the_export_without_a_file(
    client, login_as, keeper, town, small_limits, clock
):
    login_as(keeper)
    page_url = _queue(client)
    for grant in keeper.grants:
        grant.revoked_at = clock()
    db.session.commit()
    drain_queues()
    export = db.session.scalars(select(ExportJob)).one()
    assert export.state == FAILED and "droits" in export.error
    assert _files() == [] and _journal("register.exported") == []
    assert [json.loads(e.details)["error"] for e in _journal("export.failed")] == [export.error]
    assert page_url.endswith(export.public_id)


def test_a_failure_midway_leaves_no_file_and_says_so(
    client, login_as, keeper, town, small_limits, monkeypatch
):
    login_as(keeper)
    page_url = _queue(client)
    real = jobs.KINDS["register"]

    def broken(fmt, params, actor, out, progress, now):
        out.write(b"PK half an archive")
        raise OSError("disk full")

    monkeypatch.setitem(jobs.KINDS, "register", jobs.Kind(real.roles, real.plan, broken))
    drain_queues()
    export = db.session.scalars(select(ExportJob)).one()
    assert export.state == FAILED and export.error == jobs.INTERNAL_ERROR
    assert _files() == []  # neither the file nor its partial
    assert _journal("register.exported") == []
    assert "relancez-le" in client.get(page_url).get_data(as_text=True)
    assert client.get(f"{page_url}/file").status_code == 404


def test_files_expire_and_the_job_stays_as_evidence(
    client, login_as, keeper, town, small_limits, clock
):
    login_as(keeper)
    page_url = _queue(client)
    drain_queues()
    assert len(_files()) == 1
    clock.advance(hours=23)
    assert jobs.purge_expired(clock()) == 0
    clock.advance(hours=1)
    tick()
    export = db.session.scalars(select(ExportJob)).one()
    assert export.state == EXPIRED and export.sha256 and _files() == []
    assert len(_journal("export.expired")) == 1
    login_as(keeper)  # a day later: a new session
    assert client.get(f"{page_url}/file").status_code == 404
    assert "supprimé" in client.get(page_url).get_data(as_text=True)


def test_an_interrupted_export_is_queued_again_then_given_up(keeper, town, app, clock):
    actor = actor_for(keeper, clock())
    params = {"register": "processor", "filters": {}}
    export = jobs.request_export("register", "ods", params, actor=actor, now=clock())
    assert jobs.claim_next(clock()).id == export.id
    assert jobs.claim_next(clock()) is None  # nobody else can take it
    clock.advance(minutes=9)
    assert jobs.requeue_stale(clock()) == 0
    clock.advance(minutes=2)
    assert jobs.requeue_stale(clock()) == 1 and export.state == QUEUED
    for _ in range(2):
        jobs.claim_next(clock())
        clock.advance(minutes=11)
        jobs.requeue_stale(clock())
    assert export.attempts == 3 and export.state == FAILED and "interrompu" in export.error
    assert len(_journal("export.interrupted")) == 3


def test_progress_is_written_while_the_export_runs(keeper, town, app, clock):
    actor = actor_for(keeper, clock())
    export = jobs.request_export("register", "ods", {"filters": {}}, actor=actor, now=clock())
    assert jobs.claim_next(clock()).state == RUNNING
    jobs._Progress(export.id, clock)(2)
    db.session.expire_all()
    assert db.session.get(ExportJob, export.id).rows_done == 2


def test_short_exports_are_still_answered_at_once(client, login_as, keeper, town):
    login_as(keeper)
    answer = client.get("/register/export?format=xlsx&register=processor")
    assert answer.status_code == 200 and answer.data.startswith(b"PK")
    assert db.session.scalars(select(ExportJob)).all() == []


def test_a_refused_role_cannot_export_or_list_anything(client, login_as, make_user):
    login_as("admin")
    assert client.get("/register/export?format=pdf&register=processor").status_code == 403
    assert client.get("/exports").status_code == 200  # an empty list of their own


def test_the_api_answers_202_then_the_file(api, keeper, make_user, town, small_limits):
    caller = api(keeper)
    answer = caller.get("/api/v1/processings/export?format=ods&register=processor")
    assert answer.status_code == 202
    status_url = answer.headers["Location"]
    assert answer.json["state"] == "queued" and answer.json["file_url"] is None
    drain_queues()
    state = caller.get(status_url).json
    assert state["state"] == "done" and state["percent"] == 100 and state["rows_total"] == 3
    data = caller.get(state["file_url"]).data
    assert hashlib.sha256(data).hexdigest() == state["sha256"]
    assert [item["id"] for item in caller.get("/api/v1/exports").json["items"]] == [state["id"]]
    stranger = api(make_user("processor_dpo"))
    assert stranger.get(status_url).status_code == 404
    assert stranger.get(state["file_url"]).status_code == 404


def test_the_cli_writes_the_file_with_a_progress_bar_and_journals_it(
    runner, keeper, town, tmp_path
):
    out = tmp_path / "registre.csv"
    result = runner.invoke(
        args=["rgpd", "register", "export", "--as", keeper.email, "--format", "csv", "-o", out]
    )
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert "3 traitement(s)" in result.output and digest in result.output
    assert out.read_bytes().decode("utf-8-sig").count("Ville de Saint-Lô") == 3
    [entry] = _journal("register.exported")
    assert entry.user_id == keeper.id and json.loads(entry.details)["rows"] == 3
    assert not list(tmp_path.glob(".*partial"))


def test_the_cli_refuses_an_unknown_account_or_a_foreign_register(
    runner, make_user, make_org, town, tmp_path
):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["rgpd", "register", "export", "--as", "nobody@x.org", "-o", out])
    assert result.exit_code == 1 and "Aucun compte actif" in result.output
    dpo = make_user("controller_dpo", make_org("Ville de Brest"))
    result = runner.invoke(
        args=["rgpd", "register", "export", "--as", dpo.email, "--register", "controller",
              "--controller", town.siren, "-o", out]
    )  # fmt: skip
    assert result.exit_code == 1 and not out.exists()
    assert _journal("register.exported") == []
