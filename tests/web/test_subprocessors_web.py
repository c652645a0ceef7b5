"""Sub-processor pages: catalogue, municipality list and exports, notices, answers, roles."""

from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.register.models import Subprocessor
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.models import NoticeRecipient, SubprocessorNotice
from tests.subprocessor_support import SENT_AT, add_processing, notice_data


def journal_count(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.action == action)
    )


@pytest.fixture
def sent(sub_world, clock):
    """A sent notice received by both towns on Monday 2 March (window ends Monday 9)."""
    notice = services.notices.create_notice(
        notice_data(sub_world.sub.id), actor=sub_world.dpo, now=clock()
    )
    services.notices.send_notice(notice.id, actor=sub_world.dpo, now=clock())
    for message in db.session.scalars(select(OutboxMessage)):
        message.state, message.accepted_at = "sent", SENT_AT
    db.session.commit()
    services.windows.start_windows(SENT_AT)
    by_org = {r.organisation_id: r for r in db.session.scalars(select(NoticeRecipient))}
    return notice, by_org[sub_world.rennes.id], by_org[sub_world.metz.id]


def url(notice, recipient, action=""):
    base = f"/subprocessors/notices/{notice.id}/recipients/{recipient.id}"
    return f"{base}/{action}" if action else base


def test_catalogue_is_read_by_processor_staff_and_refused_to_municipalities(
    client, login_as, sub_world
):
    login_as("support")
    body = client.get("/subprocessors/").get_data(as_text=True)
    assert "Hébergeur Armor SAS" in body and 'href="/subprocessors/"' in body
    assert client.get(f"/subprocessors/{sub_world.sub.id}").status_code == 200
    assert client.get("/subprocessors/new").status_code == 403
    login_as(sub_world.rennes_dpo.user)
    assert client.get("/subprocessors/").status_code == 403
    assert client.get(f"/subprocessors/{sub_world.sub.id}").status_code == 403


def test_the_dpo_files_an_entry_and_a_bad_form_names_every_field(client, login_as, sub_world):
    login_as(sub_world.dpo.user)
    bad = client.post(
        "/subprocessors/new",
        data={"legal_name": "X", "country": "FR", "processing_countries": ["IN"]},
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for name in ("legal_name", "address", "contact"):
        assert f'id="{name}-error"' in body
    good = client.post(
        "/subprocessors/new",
        data={
            "legal_name": "Cloud Inde",
            "address": "1 MG Road, Bangalore",
            "contact": "dpo@in.example",
            "country": "IN",
            "processing_countries": ["IN"],
            "activities": ["backup"],
            "transfer_mechanism": "sccs",
        },
    )
    assert good.status_code == 302
    sub = db.session.scalar(select(Subprocessor).where(Subprocessor.legal_name == "Cloud Inde"))
    assert sub.is_outside_eea


def test_a_loop_in_the_chain_is_refused_on_the_page(client, login_as, sub_world, clock):
    other = services.catalogue.create_subprocessor(
        {**services.catalogue.as_values(sub_world.sub), "legal_name": "Datacenter Est"},
        actor=sub_world.dpo,
        now=clock(),
    )
    login_as(sub_world.dpo.user)
    assert (
        client.post(
            f"/subprocessors/{sub_world.sub.id}/chain", data={"child_id": other.id}
        ).status_code
        == 302
    )
    page = client.get(f"/subprocessors/{sub_world.sub.id}").get_data(as_text=True)
    assert "Datacenter Est" in page
    refused = client.post(f"/subprocessors/{other.id}/chain", data={"child_id": sub_world.sub.id})
    assert refused.status_code == 400 and "boucle" in refused.get_data(as_text=True)


def test_a_municipality_sees_its_subprocessors_and_exports_them(client, login_as, sub_world):
    add_processing(sub_world.rennes, subprocessors=[db.session.get(Subprocessor, sub_world.sub.id)])
    login_as(sub_world.rennes_dpo.user)
    mine = client.get("/subprocessors/mine")
    assert mine.headers["Location"].endswith(f"/subprocessors/municipalities/{sub_world.rennes.id}")
    page = client.get(f"/subprocessors/municipalities/{sub_world.rennes.id}")
    assert page.status_code == 200 and "Hébergeur Armor SAS" in page.get_data(as_text=True)
    assert client.get(f"/subprocessors/municipalities/{sub_world.metz.id}").status_code == 404
    expected = {"csv": "text/csv", "xlsx": "spreadsheetml", "ods": "opendocument", "pdf": "pdf"}
    for fmt, kind in expected.items():
        answer = client.get(f"/subprocessors/municipalities/{sub_world.rennes.id}/export/{fmt}")
        assert answer.status_code == 200 and kind in answer.content_type
        assert (
            f"sous-traitants-{sub_world.rennes.siren}.{fmt}"
            in answer.headers["Content-Disposition"]
        )
        data = answer.get_data()
        answer.close()  # XLSX/ODS come from a spooled file
        if fmt == "csv":
            assert "Hébergeur Armor SAS" in data.decode()
    assert journal_count("subprocessor.municipality_exported") == 4
    assert (
        client.get(f"/subprocessors/municipalities/{sub_world.metz.id}/export/csv").status_code
        == 404
    )


def test_support_cannot_prepare_notices_and_the_dpo_sees_what_is_missing(
    client, login_as, sub_world
):
    login_as("support")
    assert client.get("/subprocessors/notices/new").status_code == 403
    assert client.get("/subprocessors/notices/").status_code == 403
    login_as(sub_world.dpo.user)
    created = client.post(
        "/subprocessors/notices/new",
        data={
            "kind": "addition",
            "subprocessor_id": sub_world.sub.id,
            "scope": "all",
        },
    )
    assert created.status_code == 302
    notice_url = created.headers["Location"]
    refused = client.post(f"{notice_url}/send")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    for message in ("Indiquez les activités sous-traitées.", "date de début", "date de fin"):
        assert message in body
    assert db.session.scalar(select(func.count()).select_from(NoticeRecipient)) == 0


def test_a_notice_form_sent_empty_names_the_kind_and_creates_nothing(client, login_as, sub_world):
    login_as(sub_world.dpo.user)

    refused = client.post("/subprocessors/notices/new", data={"scope": "all"})

    assert refused.status_code == 400
    assert "Précisez s&#39;il s&#39;agit d&#39;un ajout ou d&#39;un remplacement." in (
        refused.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(SubprocessorNotice)) == 0


def test_the_dpo_page_shows_state_receipt_end_and_time_left(
    client, login_as, sub_world, sent, clock
):
    notice, rennes, metz = sent
    clock.set(datetime(2026, 3, 7, 18, 0, tzinfo=UTC))
    login_as(sub_world.dpo.user)
    body = client.get("/subprocessors/notices/").get_data(as_text=True)
    assert body.count('class="recipient state-open"') == 2
    assert "02/03/2026" in body and "09/03/2026" in body and "2 j 5 h" in body


def test_objection_one_minute_before_and_after_the_close(client, login_as, sub_world, sent, clock):
    notice, rennes, metz = sent
    closes = rennes.window_closes_at
    clock.set(closes - timedelta(minutes=1))
    login_as(sub_world.rennes_dpo.user)
    assert (
        client.post(url(notice, rennes, "object"), data={"reason": "Non certifié"}).status_code
        == 302
    )
    assert (
        client.post(url(notice, rennes, "object"), data={"reason": "Non certifié"}).status_code
        == 302
    )
    assert journal_count("subprocessor_notice.objected") == 1
    clock.set(closes + timedelta(minutes=1))
    login_as(sub_world.metz_dpo.user)
    late = client.post(url(notice, metz, "object"), data={"reason": "Trop tard"})
    assert late.status_code == 409
    assert "a pris fin le lundi 9 mars 2026 à 24:00 (heure de Paris)" in late.get_data(as_text=True)


def test_foreign_municipality_gets_404_and_the_instructor_cannot_object(
    client, login_as, sub_world, sent, make_user
):
    notice, rennes, metz = sent
    login_as(sub_world.rennes_dpo.user)
    assert client.get(url(notice, rennes)).status_code == 200
    assert client.get(url(notice, metz)).status_code == 404
    assert client.post(url(notice, metz, "object"), data={"reason": "x x x"}).status_code == 404
    login_as(make_user("instructor", sub_world.rennes))
    assert client.get(url(notice, rennes)).status_code == 200
    assert client.post(url(notice, rennes, "object"), data={"reason": "x x x"}).status_code == 403


def test_the_dpo_records_a_receipt_date_and_an_outcome(client, login_as, sub_world, sent, clock):
    notice, rennes, metz = sent
    login_as(sub_world.dpo.user)
    bad = client.post(url(notice, rennes, "receipt"), data={"received_on": "2026-03-04"})
    assert bad.status_code == 400 and 'id="proof-error"' in bad.get_data(as_text=True)
    clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=UTC))
    login_as(sub_world.dpo.user)  # the idle session would have expired
    ok = client.post(
        url(notice, rennes, "receipt"), data={"received_on": "2026-03-04", "proof": "AR 1A 234"}
    )
    assert ok.status_code == 302 and "/recipients/" in ok.headers["Location"]
    db.session.expire_all()
    assert db.session.get(NoticeRecipient, rennes.id).window_ends_on == date(2026, 3, 11)
    services.answers.object_to(
        notice.id, metz.id, reason="Non", actor=sub_world.metz_dpo, now=clock()
    )
    done = client.post(
        url(notice, metz, "outcome"), data={"outcome": "withdrawn", "note": "Projet abandonné"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(NoticeRecipient, metz.id).state == "resolved"
    login_as(sub_world.metz_dpo.user)
    assert (
        client.post(
            url(notice, metz, "outcome"), data={"outcome": "withdrawn", "note": "x x x"}
        ).status_code
        == 403
    )


def test_every_page_renders_for_the_roles_that_use_it(client, login_as, sub_world, sent, clock):
    notice, rennes, metz = sent
    services.answers.object_to(
        notice.id, metz.id, reason="Non certifié", actor=sub_world.metz_dpo, now=clock()
    )
    login_as(sub_world.dpo.user)
    for path in (
        "/subprocessors/new",
        f"/subprocessors/{sub_world.sub.id}/edit",
        "/subprocessors/notices/new",
        f"/subprocessors/notices/{notice.id}",
        url(notice, rennes),
    ):
        assert client.get(path).status_code == 200, path
    page = client.get(url(notice, metz)).get_data(as_text=True)
    assert "Suite donnée à l'objection" in page and "Non certifié" in page
    draft = services.notices.create_notice(
        notice_data(sub_world.sub.id), actor=sub_world.dpo, now=clock()
    )
    body = client.get(f"/subprocessors/notices/{draft.id}").get_data(as_text=True)
    assert "2 collectivité(s) seront informées." in body
    assert client.get(f"/subprocessors/notices/{draft.id}/edit").status_code == 200
    login_as(sub_world.rennes_dpo.user)
    body = client.get("/subprocessors/notices/").get_data(as_text=True)
    assert body.count('class="recipient') == 1 and "Ville de Metz" not in body
    assert client.get(f"/subprocessors/notices/{draft.id}").status_code == 404
    assert "Formuler une objection" in client.get(url(notice, rennes)).get_data(as_text=True)


def test_a_municipalitys_window_reads_in_english(client, login_as, sub_world, sent, clock):
    notice, rennes, metz = sent
    clock.set(datetime(2026, 3, 7, 18, 0, tzinfo=UTC))
    login_as(sub_world.rennes_dpo.user)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/subprocessors/notices/{notice.id}/recipients/{rennes.id}")
    body = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Objection period running" in body and "Délai d'objection en cours" not in body
    assert "Monday 9 March 2026 at midnight (end of day) (Paris time)" in body
    assert "2 d 5 h" in body
    assert "lundi" not in body and "heure de Paris" not in body
