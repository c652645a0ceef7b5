"""Change notices on SQLite and PostgreSQL: sending, receipt, windows, answers, worker jobs."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from rgpd_app import scheduler
from rgpd_app.clocks.services import echeances_for
from rgpd_app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.notifications.services import send_due
from rgpd_app.register.models import Subprocessor
from rgpd_app.subprocessors import services
from rgpd_app.subprocessors.models import NoticeRecipient
from rgpd_app.subprocessors.notices.answers import WindowClosed
from rgpd_app.subprocessors.notices.services import NoticeIncomplete
from tests.subprocessor_support import (  # noqa: F401
    SENT_AT,
    add_processing,
    notice_data,
    sub_data,
)

notices, answers, windows = services.notices, services.answers, services.windows


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def journal(action: str) -> list[JournalEntry]:
    return list(db.session.scalars(select(JournalEntry).where(JournalEntry.action == action)))


def sent_notice(sub_world, clock, **over):
    notice = notices.create_notice(
        notice_data(sub_world.sub.id, **over), actor=sub_world.dpo, now=clock()
    )
    return notices.send_notice(notice.id, actor=sub_world.dpo, now=clock())


def recipient_of(notice, org) -> NoticeRecipient:
    return db.session.scalar(
        select(NoticeRecipient).where(
            NoticeRecipient.notice_id == notice.id, NoticeRecipient.organisation_id == org.id
        )
    )


def receive(recipient, at: datetime) -> None:
    """The mail server accepted the notice at `at`; the worker copies it at the next tick."""
    message = db.session.get(OutboxMessage, recipient.outbox_message_id)
    message.state, message.accepted_at = "sent", at
    db.session.commit()
    windows.start_windows(at)
    db.session.refresh(recipient)


def test_an_incomplete_notice_cannot_be_sent_and_every_missing_element_is_listed(sub_world, clock):
    bare = services.catalogue.create_subprocessor(
        sub_data(legal_name="Sans contrat"), actor=sub_world.dpo, now=clock()
    )
    notice = notices.create_notice(
        {"kind": "replacement", "subprocessor_id": bare.id, "activities": []},
        actor=sub_world.dpo,
        now=clock(),
    )
    with pytest.raises(NoticeIncomplete) as err:
        notices.send_notice(notice.id, actor=sub_world.dpo, now=clock())
    assert set(err.value.fields) == {
        "replaced_id",
        "activities",
        "contract_start_on",
        "contract_end_on",
    }
    db.session.rollback()
    assert count(NoticeRecipient) == 0 and count(OutboxMessage) == 0


def test_sending_creates_one_recipient_and_one_email_per_municipality(sub_world, clock):
    notice = sent_notice(sub_world, clock)
    assert notice.state == "sent" and count(NoticeRecipient) == 2
    rennes = recipient_of(notice, sub_world.rennes)
    assert rennes.state == "awaiting_receipt" and rennes.received_on is None
    message = db.session.get(OutboxMessage, rennes.outbox_message_id)
    assert (
        message.recipient == sub_world.rennes.dpo_email
        and message.template == "subprocessor_notice"
    )
    assert "Hébergeur Armor SAS" in message.body_text and "Jeanne Le Goff" in message.body_text
    assert "Hébergement" in message.body_text and "1er avril 2026" in message.body_text
    assert f"/subprocessors/notices/{notice.id}/recipients/{rennes.id}" in message.body_text
    with pytest.raises(Conflict):
        notices.send_notice(notice.id, actor=sub_world.dpo, now=clock())
    db.session.rollback()
    assert count(NoticeRecipient) == 2 and count(OutboxMessage) == 2


def test_scope_activity_reaches_only_towns_whose_processings_use_it(sub_world, clock):
    add_processing(sub_world.metz, operations=["backup"])
    add_processing(sub_world.rennes, operations=["support"])
    notice = sent_notice(sub_world, clock, scope="activity", activities=["backup"])
    assert [r.organisation_id for r in notice.recipients] == [sub_world.metz.id]
    lonely = notices.create_notice(
        notice_data(sub_world.sub.id, scope="activity", activities=["migration"]),
        actor=sub_world.dpo,
        now=clock(),
    )
    with pytest.raises(NoticeIncomplete) as err:
        notices.send_notice(lonely.id, actor=sub_world.dpo, now=clock())
    assert err.value.fields == {"scope": ["Aucune collectivité concernée : rien à envoyer."]}


def test_support_cannot_prepare_a_notice_nor_a_municipality_dpo(sub_world, clock, make_user):
    support = actor_for(make_user("support"), clock())
    for actor in (support, sub_world.rennes_dpo):
        with pytest.raises(Forbidden):
            notices.create_notice(notice_data(sub_world.sub.id), actor=actor, now=clock())


def test_mail_server_down_window_not_started_then_started_at_acceptance(
    sub_world, clock, sub_smtp, app
):
    notice = sent_notice(sub_world, clock)
    rennes = recipient_of(notice, sub_world.rennes)
    assert send_due(clock())["retry"] == 2  # nothing listens yet
    scheduler.tick(clock())
    db.session.refresh(rennes)
    assert rennes.state == "awaiting_receipt" and rennes.window_ends_on is None

    sub_smtp.start()
    clock.set(datetime(2026, 3, 6, 23, 30, tzinfo=UTC))  # Saturday 7 March, 00:30 in Paris
    scheduler.tick(clock())  # sends; the next tick copies the acceptance
    scheduler.tick(clock())
    db.session.refresh(rennes)
    assert len(sub_smtp.handler.messages) == 2
    assert rennes.state == "open" and rennes.receipt_source == "mail_server"
    assert rennes.received_on == date(2026, 3, 7)  # the Paris day of acceptance
    assert rennes.window_ends_on == date(2026, 3, 16)  # Saturday 14 → Monday 16
    assert rennes.window_closes_at == datetime(2026, 3, 16, 23, 0, tzinfo=UTC)
    assert len(journal("subprocessor_notice.received")) == 2
    scheduler.tick(clock())
    assert len(journal("subprocessor_notice.received")) == 2  # idempotent


def test_moselle_window_skips_good_friday_and_easter_monday(sub_world, clock):
    notice = sent_notice(sub_world, clock)
    metz, rennes = recipient_of(notice, sub_world.metz), recipient_of(notice, sub_world.rennes)
    at = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    receive(metz, at)
    receive(rennes, at)
    assert rennes.window_ends_on == date(2026, 4, 3)
    assert metz.window_ends_on == date(2026, 4, 7)


def test_objection_one_minute_before_the_close_counts_one_minute_after_is_refused(sub_world, clock):
    notice = sent_notice(sub_world, clock)
    rennes, metz = recipient_of(notice, sub_world.rennes), recipient_of(notice, sub_world.metz)
    receive(rennes, SENT_AT)
    receive(metz, SENT_AT)
    closes = rennes.window_closes_at  # Monday 9 March, 24:00 Paris
    assert closes == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    answers.object_to(
        notice.id,
        rennes.id,
        reason="Hébergeur non certifié HDS",
        actor=sub_world.rennes_dpo,
        now=closes - timedelta(minutes=1),
    )
    assert recipient_of(notice, sub_world.rennes).state == "objected"
    with pytest.raises(WindowClosed) as err:
        answers.object_to(
            notice.id,
            metz.id,
            reason="Trop tard",
            actor=sub_world.metz_dpo,
            now=closes + timedelta(minutes=1),
        )
    assert err.value.message == (
        "Le délai d'objection a pris fin le lundi 9 mars 2026 à 24:00 (heure de Paris)."
    )


def test_a_replayed_objection_is_recorded_once(sub_world, clock, make_user):
    make_user("processor_dpo")  # a second processor DPO to e-mail
    notice = sent_notice(sub_world, clock)
    rennes = recipient_of(notice, sub_world.rennes)
    emails_before = count(OutboxMessage)
    first = answers.object_to(
        notice.id, rennes.id, reason="Motif", actor=sub_world.rennes_dpo, now=clock()
    )
    again = answers.object_to(
        notice.id,
        rennes.id,
        reason=" Motif ",
        actor=sub_world.rennes_dpo,
        now=clock() + timedelta(seconds=1),
    )
    assert again.id == first.id and again.objected_at == clock()
    assert len(journal("subprocessor_notice.objected")) == 1
    assert count(OutboxMessage) == emails_before + 2  # one per processor DPO, once
    with pytest.raises(Conflict):
        answers.object_to(
            notice.id, rennes.id, reason="Autre motif", actor=sub_world.rennes_dpo, now=clock()
        )


def test_silence_accepts_the_change_when_no_transfer_leaves_the_eea(sub_world, clock):
    notice = sent_notice(sub_world, clock)
    rennes = recipient_of(notice, sub_world.rennes)
    add_processing(sub_world.rennes, subprocessors=[db.session.get(Subprocessor, sub_world.sub.id)])
    receive(rennes, SENT_AT)
    assert services.windows.close_windows(rennes.window_closes_at - timedelta(minutes=1)) == 0
    assert services.windows.close_windows(rennes.window_closes_at) == 1  # Metz: not received
    assert services.windows.close_windows(rennes.window_closes_at) == 0
    db.session.refresh(rennes)
    assert rennes.state == "accepted_by_silence"
    _, rows = services.municipality.municipality_subprocessors(
        sub_world.rennes.id, actor=sub_world.rennes_dpo, now=clock()
    )
    assert rows[0].authorisation_label == "Autorisé"


def test_silence_never_authorises_a_transfer_outside_the_eea_only_written_approval(
    sub_world, clock
):
    services.catalogue.update_subprocessor(
        sub_world.sub.id,
        sub_data(processing_countries=["US"], transfer_mechanism="sccs"),
        actor=sub_world.dpo,
        now=clock(),
    )
    notice = sent_notice(sub_world, clock)
    assert notice.is_transfer_outside_eea
    rennes, metz = recipient_of(notice, sub_world.rennes), recipient_of(notice, sub_world.metz)
    message = db.session.get(OutboxMessage, rennes.outbox_message_id)
    assert "votre silence ne vaut pas accord" in message.body_text
    receive(rennes, SENT_AT)
    receive(metz, SENT_AT)
    answers.approve(
        notice.id, metz.id, reference="Délibération 2026-14", actor=sub_world.metz_dpo, now=clock()
    )
    services.windows.close_windows(rennes.window_closes_at)
    db.session.refresh(rennes)
    db.session.refresh(metz)
    assert rennes.state == "not_authorised" and metz.state == "approved"
    # A written approval after the window still counts (from then on).
    answers.approve(
        notice.id,
        rennes.id,
        reference="Courrier du maire",
        actor=sub_world.rennes_dpo,
        now=rennes.window_closes_at + timedelta(days=2),
    )
    assert recipient_of(notice, sub_world.rennes).state == "approved"


def test_the_processor_dpo_records_another_receipt_date_with_its_proof(sub_world, clock):
    notice = sent_notice(sub_world, clock)
    rennes = recipient_of(notice, sub_world.rennes)
    receive(rennes, SENT_AT)
    assert rennes.window_ends_on == date(2026, 3, 9)
    clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=UTC))
    services.windows.close_windows(clock())
    db.session.refresh(rennes)
    assert rennes.state == "accepted_by_silence"
    answers.record_receipt(
        notice.id,
        rennes.id,
        received_on=date(2026, 3, 5),
        proof="AR n° 1A 234 567 8901 2",
        actor=sub_world.dpo,
        now=clock(),
    )
    db.session.refresh(rennes)
    assert rennes.state == "open" and rennes.window_ends_on == date(2026, 3, 12)
    assert rennes.receipt_source == "manual"
    [entry] = journal("subprocessor_notice.receipt_recorded")
    details = json.loads(entry.details)
    assert details["before"]["window_ends_on"] == "2026-03-09"
    assert details["window_ends_on"] == "2026-03-12" and "AR n°" in details["proof"]
    with pytest.raises(ValidationFailed):
        answers.record_receipt(
            notice.id,
            rennes.id,
            received_on=date(2026, 3, 1),
            proof="x",
            actor=sub_world.dpo,
            now=clock(),
        )
    db.session.rollback()
    with pytest.raises(Forbidden):
        answers.record_receipt(
            notice.id,
            rennes.id,
            received_on=date(2026, 3, 5),
            proof="x",
            actor=sub_world.rennes_dpo,
            now=clock(),
        )


def test_an_objection_stays_until_the_outcome_and_never_shows_authorised(sub_world, clock):
    notice = sent_notice(sub_world, clock)
    rennes = recipient_of(notice, sub_world.rennes)
    add_processing(sub_world.rennes, subprocessors=[db.session.get(Subprocessor, sub_world.sub.id)])
    receive(rennes, SENT_AT)
    answers.object_to(notice.id, rennes.id, reason="Motif", actor=sub_world.rennes_dpo, now=clock())
    services.windows.close_windows(rennes.window_closes_at + timedelta(days=1))
    assert recipient_of(notice, sub_world.rennes).state == "objected"
    with pytest.raises(Forbidden):
        answers.record_outcome(
            notice.id,
            rennes.id,
            outcome="agreement_reached",
            note="ok",
            actor=sub_world.rennes_dpo,
            now=clock(),
        )
    answers.record_outcome(
        notice.id,
        rennes.id,
        outcome="agreement_reached",
        note="Engagement HDS signé",
        actor=sub_world.dpo,
        now=clock(),
    )
    rennes = recipient_of(notice, sub_world.rennes)
    assert rennes.state == "resolved" and rennes.outcome == "agreement_reached"
    _, rows = services.municipality.municipality_subprocessors(
        sub_world.rennes.id, actor=sub_world.rennes_dpo, now=clock()
    )
    assert rows[0].authorisation_label == "Non autorisé"
    with pytest.raises(Conflict):
        answers.approve(
            notice.id, rennes.id, reference="x", actor=sub_world.rennes_dpo, now=clock()
        )


def test_reminder_goes_once_two_working_days_before_the_end(sub_world, clock):
    notice = sent_notice(sub_world, clock)
    rennes, metz = recipient_of(notice, sub_world.rennes), recipient_of(notice, sub_world.metz)
    receive(rennes, SENT_AT)  # ends Monday 9 March: reminder Thursday 5
    receive(metz, SENT_AT)
    answers.object_to(notice.id, metz.id, reason="Non", actor=sub_world.metz_dpo, now=clock())
    before = count(OutboxMessage, OutboxMessage.template == "subprocessor_reminder")
    assert services.windows.send_reminders(datetime(2026, 3, 4, 22, 59, tzinfo=UTC)) == 0
    assert services.windows.send_reminders(datetime(2026, 3, 4, 23, 0, tzinfo=UTC)) == 1
    assert services.windows.send_reminders(datetime(2026, 3, 5, 9, 0, tzinfo=UTC)) == 0
    after = count(OutboxMessage, OutboxMessage.template == "subprocessor_reminder")
    assert after == before + 1


def test_municipality_sees_only_its_own_records_and_the_instructor_cannot_object(
    sub_world, clock, make_user
):
    notice = sent_notice(sub_world, clock)
    rennes, metz = recipient_of(notice, sub_world.rennes), recipient_of(notice, sub_world.metz)
    with pytest.raises(NotFound):
        answers.object_to(notice.id, metz.id, reason="x", actor=sub_world.rennes_dpo, now=clock())
    with pytest.raises(NotFound):
        answers.read_recipient(notice.id + 1, rennes.id, actor=sub_world.rennes_dpo, now=clock())
    assert [r.id for r in notices.visible_recipients(notice, sub_world.rennes_dpo)] == [rennes.id]
    instructor = actor_for(make_user("instructor", sub_world.rennes), clock())
    answers.read_recipient(notice.id, rennes.id, actor=instructor, now=clock())
    with pytest.raises(Forbidden):
        answers.object_to(notice.id, rennes.id, reason="x", actor=instructor, now=clock())
    draft = notices.create_notice(notice_data(sub_world.sub.id), actor=sub_world.dpo, now=clock())
    with pytest.raises(NotFound):
        notices.get_notice(draft.id, actor=sub_world.rennes_dpo)
    assert notices.list_notices(actor=sub_world.rennes_dpo, now=clock()).total == 1


def test_open_windows_are_echeances_for_both_sides(sub_world, clock, app):
    notice = sent_notice(sub_world, clock)
    rennes = recipient_of(notice, sub_world.rennes)
    receive(rennes, SENT_AT)
    with app.test_request_context():
        mine = [
            e
            for e in echeances_for(sub_world.rennes_dpo, now=clock())
            if e.kind == "subprocessor-window"
        ]
        theirs = [
            e for e in echeances_for(sub_world.dpo, now=clock()) if e.kind == "subprocessor-window"
        ]
        metz_view = [
            e
            for e in echeances_for(sub_world.metz_dpo, now=clock())
            if e.kind == "subprocessor-window"
        ]
    assert [e.deadline for e in mine] == [date(2026, 3, 9)]
    assert [e.organisation_id for e in theirs] == [sub_world.rennes.id]
    assert metz_view == []  # Metz's window has not started


def test_a_double_click_from_two_requests_at_once_is_recorded_once(sub_world, clock, app):
    import threading

    notice = sent_notice(sub_world, clock)
    rid, nid = recipient_of(notice, sub_world.rennes).id, notice.id
    user_id = sub_world.rennes_dpo.user.id
    db.session.remove()
    barrier, results = threading.Barrier(2), []

    def click():
        from rgpd_app.accounts.models import User

        with app.app_context():
            actor = actor_for(db.session.get(User, user_id), clock())
            barrier.wait()
            item = answers.object_to(nid, rid, reason="Motif", actor=actor, now=clock())
            results.append(item.objected_at)
            db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [clock(), clock()]
    assert len(journal("subprocessor_notice.objected")) == 1
    assert count(OutboxMessage, OutboxMessage.template == "subprocessor_objection") == 1
