"""The auditor's portal (issue 16, item 4): a named auditor reads the audited municipality from
the acceptance until the report + 30 days, downloads the packs its DPO shares with the audit,
and every read is journaled and listed on the audit's page for the DPO."""

import hashlib
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from rgpd_app.accounts.models import User
from rgpd_app.audits import decisions, progress
from rgpd_app.audits.models import AuditShare
from rgpd_app.exports.models import DONE, ExportJob
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.organisations.models import Organisation
from rgpd_app.scheduler import drain_queues
from tests.audit_support import nda

AUDITOR_EMAIL = "auditeur0@verif.example"


@pytest.fixture
def accepted(people, requested, clock):
    """The audit of 2–3 April 2026, accepted by the processor on Monday 2 March."""
    decisions.accept(requested.id, actor=people.actor(people.processor_dpo), now=clock())
    return requested


def _auditor() -> User:
    """The account opened at acceptance (fetched again: building a pack ends the session)."""
    return db.session.scalar(select(User).where(User.email == AUDITOR_EMAIL))


@pytest.fixture
def auditor_user(accepted):
    return _auditor()


def _pack(client, login_as, dpo) -> ExportJob:
    login_as(dpo)
    answer = client.post("/evidence/", data={"from": "2026-01-01"})
    assert answer.status_code == 202, answer.get_data(as_text=True)
    assert drain_queues() == {"exports": 1}
    db.session.expire_all()
    job = db.session.scalars(select(ExportJob).order_by(ExportJob.id.desc())).first()
    assert job.state == DONE and job.kind == "evidence"
    return job


def _share(client, audit_id, job) -> None:
    answer = client.post(f"/audits/{audit_id}/packs", data={"pack": job.public_id})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def _share_id(audit_id) -> int:
    return db.session.scalar(select(AuditShare.id).where(AuditShare.audit_id == audit_id))


def test_the_window_runs_from_acceptance_to_the_report_plus_30_days(
    accepted, auditor_user, people, clock
):
    def reads_on(day: date) -> bool:
        at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        return actor_for(auditor_user, at).has("auditor")

    # Accepted Mon 2 March; before the report, the announced end (3 April) + 30 days: 3 May.
    assert not reads_on(date(2026, 3, 1))
    assert reads_on(date(2026, 3, 2)) and reads_on(date(2026, 3, 20))  # before the audit's days
    assert reads_on(date(2026, 5, 3)) and not reads_on(date(2026, 5, 4))
    clock.set(datetime(2026, 4, 2, 7, 0, tzinfo=UTC))
    progress.start(accepted.id, actor=people.actor(people.controller_dpo), now=clock())
    clock.set(datetime(2026, 5, 20, 8, 0, tzinfo=UTC))  # the report comes late: access follows
    progress.upload_report(
        accepted.id, nda("rapport.pdf"), actor=people.actor(people.controller_dpo), now=clock()
    )
    db.session.expire_all()
    assert reads_on(date(2026, 6, 19)) and not reads_on(date(2026, 6, 20))
    step = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "audit.auditor_access")
    ).one()
    assert '"until": "2026-06-19"' in step.details


def test_the_dpo_shares_a_pack_the_auditor_downloads_it_and_the_dpo_sees_every_read(
    client, login_as, people, accepted, auditor_user, app
):
    job = _pack(client, login_as, people.controller_dpo)
    page = client.get(f"/audits/{accepted.id}").get_data(as_text=True)
    assert "lundi 2 mars 2026" in page and "dimanche 3 mai 2026" in page
    assert f'value="{job.public_id}"' in page
    _share(client, accepted.id, job)
    db.session.expire_all()
    kept = db.session.get(ExportJob, job.id).expires_at
    assert kept >= datetime(2026, 5, 3, 22, 0, tzinfo=UTC)  # 24:00 on 3 May in Paris (CEST)
    share_id = _share_id(accepted.id)

    login_as(_auditor())
    page = client.get(f"/audits/{accepted.id}").get_data(as_text=True)
    assert f"/audits/{accepted.id}/packs/{share_id}" in page and job.sha256 in page
    assert "Retirer le partage" not in page and "Ce que les auditeurs ont consulté" not in page
    download = client.get(f"/audits/{accepted.id}/packs/{share_id}")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert hashlib.sha256(download.get_data()).hexdigest() == job.sha256
    assert download.headers["Cache-Control"] == "no-store"
    assert client.get("/register/?q=badge").status_code == 200
    streamed = client.get("/register/export?format=csv&register=processor")
    assert streamed.status_code == 200
    streamed.get_data()
    streamed.close()  # a streamed answer is journaled once sent (the server closes it)

    login_as(people.controller_dpo)
    page = client.get(f"/audits/{accepted.id}").get_data(as_text=True)
    table = page[page.index('id="auditor-reads"') :]
    assert AUDITOR_EMAIL in table and "/register/?q=badge" in table
    assert "Paquet de preuves téléchargé" in table and job.public_id in table
    reads = db.session.scalars(
        select(JournalEntry).where(
            JournalEntry.user_id == _auditor().id, JournalEntry.action == "auditor.read"
        )
    ).all()
    paths = [r.details for r in reads]
    assert any('"/register/"' in p for p in paths)
    assert any('"/register/export"' in p for p in paths)
    assert any(f'"/audits/{accepted.id}/packs/{share_id}"' in p for p in paths)
    assert all(r.organisation_id == accepted.organisation_id for r in reads)


def test_a_read_refused_is_not_journaled_as_a_read(client, login_as, accepted, auditor_user):
    login_as(_auditor())
    assert client.get("/evidence/").status_code == 403
    assert client.get(f"/audits/{accepted.id}/packs/999").status_code == 404
    actions = db.session.scalars(
        select(JournalEntry.action).where(JournalEntry.user_id == _auditor().id)
    ).all()
    assert "auditor.read" not in actions


def test_only_the_audits_named_auditors_download_and_only_while_shared(
    client, login_as, people, accepted, auditor_user, make_user, town, other_town
):
    ids = town.id, other_town.id
    job = _pack(client, login_as, people.controller_dpo)
    town, other_town = (db.session.get(Organisation, i) for i in ids)
    _share(client, accepted.id, job)
    share_id = _share_id(accepted.id)
    url = f"/audits/{accepted.id}/packs/{share_id}"
    today = date(2026, 3, 2)
    # An auditor of the same town but not named on this audit; one of another town; staff.
    login_as("auditor", town, controller_id=town.id, valid_from_on=today, valid_until_on=today)
    assert client.get(url).status_code == 404
    assert url not in client.get(f"/audits/{accepted.id}").get_data(as_text=True)
    login_as(
        "auditor", other_town, controller_id=other_town.id, valid_from_on=today,
        valid_until_on=today,
    )  # fmt: skip
    assert client.get(url).status_code == 404
    login_as(make_user("controller_dpo", other_town))
    assert client.get(url).status_code == 404
    login_as(make_user("support"))
    assert client.get(url).status_code == 404
    login_as(people.controller_dpo)
    answer = client.post(f"/audits/{accepted.id}/packs/{share_id}/withdraw")
    assert answer.status_code == 302
    login_as(_auditor())
    assert client.get(url).status_code == 404
    actions = db.session.scalars(select(JournalEntry.action)).all()
    assert {"audit.pack_shared", "audit.pack_withdrawn"} <= set(actions)


def test_the_auditor_loses_access_the_day_after_the_window(
    client, login_as, accepted, auditor_user, clock
):
    clock.set(datetime(2026, 5, 3, 20, 0, tzinfo=UTC))  # Sunday 3 May, 22:00 in Paris
    login_as(_auditor())
    assert client.get("/register/").status_code == 200
    clock.set(datetime(2026, 5, 3, 22, 30, tzinfo=UTC))  # Monday 4 May, 00:30 in Paris
    login_as(_auditor())
    assert client.get("/register/").status_code == 403
    assert client.get(f"/audits/{accepted.id}").status_code == 403


@pytest.mark.parametrize("role", ["instructor", "processor_dpo", "auditor"])
def test_only_the_municipalitys_dpo_shares(client, login_as, people, accepted, town, role):
    town_id = town.id
    job = _pack(client, login_as, people.controller_dpo)
    town = db.session.get(Organisation, town_id)
    today = date(2026, 3, 2)
    grant = {"controller_id": town.id, "valid_from_on": today, "valid_until_on": today}
    login_as(
        role, None if role == "processor_dpo" else town, **(grant if role == "auditor" else {})
    )
    assert (
        client.post(f"/audits/{accepted.id}/packs", data={"pack": job.public_id}).status_code == 403
    )
    assert db.session.scalar(select(AuditShare.id)) is None


def test_a_pack_of_another_town_or_not_accepted_audit_is_refused_with_a_message(
    client, login_as, people, requested, make_user, other_town, clock
):
    pdpo_id, cdpo_id, audit_id = people.processor_dpo.id, people.controller_dpo.id, requested.id
    other_dpo_id = make_user("controller_dpo", other_town).id
    job = _pack(client, login_as, people.controller_dpo)
    answer = client.post(
        f"/audits/{audit_id}/packs", data={"pack": job.public_id}, follow_redirects=True
    )
    assert "audit accepté" in answer.get_data(as_text=True)  # not accepted yet
    decisions.accept(audit_id, actor=actor_for(db.session.get(User, pdpo_id), clock()), now=clock())
    other = _pack(client, login_as, db.session.get(User, other_dpo_id))
    login_as(db.session.get(User, cdpo_id))
    answer = client.post(
        f"/audits/{audit_id}/packs", data={"pack": other.public_id}, follow_redirects=True
    )
    assert "Choisissez un de vos paquets" in answer.get_data(as_text=True)
    assert db.session.scalar(select(AuditShare.id)) is None
    assert re.search(r"Aucun paquet partagé", answer.get_data(as_text=True))


def test_the_towns_existing_auditor_account_is_linked_and_follows_the_window(
    people, requested, make_user, town, clock
):
    existing = make_user(
        "auditor", town, email=AUDITOR_EMAIL, controller_id=town.id,
        valid_from_on=date(2026, 1, 1), valid_until_on=date(2026, 12, 31),
    )  # fmt: skip
    decision = decisions.accept(requested.id, actor=people.actor(people.processor_dpo), now=clock())
    assert decision.accounts == []  # no new password: the account exists
    db.session.expire_all()
    assert requested.auditors[0].user_id == existing.id
    (grant,) = db.session.get(User, existing.id).grants
    assert (grant.valid_from_on, grant.valid_until_on) == (date(2026, 3, 2), date(2026, 5, 3))
    actions = db.session.scalars(select(JournalEntry.action)).all()
    assert {"audit.auditor_account_linked", "audit.auditor_access"} <= set(actions)


def test_an_account_of_someone_else_is_never_linked(
    people, requested, make_user, other_town, clock
):
    stranger = make_user("controller_dpo", other_town, email=AUDITOR_EMAIL)
    decisions.accept(requested.id, actor=people.actor(people.processor_dpo), now=clock())
    db.session.expire_all()
    assert requested.auditors[0].user_id is None
    assert [g.role for g in db.session.get(User, stranger.id).grants] == ["controller_dpo"]


def test_the_window_is_written_in_the_pages_language(client, login_as, people, accepted):
    login_as(people.controller_dpo)
    page = client.get(f"/audits/{accepted.id}").get_data(as_text=True)
    assert "du lundi 2 mars 2026 au dimanche 3 mai 2026 inclus" in page
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/audits/{accepted.id}").get_data(as_text=True)
    assert "from Monday 2 March 2026 to Sunday 3 May 2026 inclusive" in page
    assert "dimanche" not in page
