"""Outbox bodies (personal data) are blanked after the retention period; the delivery record
stays as evidence and the purge is journaled."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from rgpd_app import scheduler
from rgpd_app.errors import Conflict
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications import services
from rgpd_app.notifications.models import OutboxAttempt, OutboxMessage


def enqueue(clock, to):
    message = services.enqueue_email(
        to=to,
        template="notice",
        context={"title": "Violation", "lines": ["Le dossier de Mme Aline Martin."], "link": "/"},
        now=clock(),
    )
    db.session.commit()
    return message


def test_bodies_are_purged_after_the_retention_period_and_the_evidence_stays(app, clock):
    app.config.update(SMTP_HOST="", MAIL_DIR=str(app.instance_path) + "/mail")
    sent = enqueue(clock, "dpo@commune.example")
    assert services.send_due(clock())["sent"] == 1
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, OUTBOX_MAX_ATTEMPTS=1)
    failed = enqueue(clock, "rssi@commune.example")
    assert services.send_due(clock())["failed"] == 1
    pending = enqueue(clock, "later@commune.example")
    accepted_at = db.session.get(OutboxMessage, sent.id).accepted_at

    clock.advance(days=89)
    assert services.purge_bodies(clock()) == 0  # not yet: 90 days by default
    clock.advance(days=2)
    assert scheduler.tick(clock())["outbox.purge_bodies"] == 2

    db.session.expire_all()
    for message in (sent, failed):
        message = db.session.get(OutboxMessage, message.id)
        assert (message.body_text, message.body_html, message.context) == ("", "", "{}")
        assert message.body_purged_at == clock()
        assert message.subject and message.recipient and message.message_id  # the evidence
        assert db.session.scalars(
            select(OutboxAttempt).where(OutboxAttempt.message_pk == message.id)
        ).all()
    assert db.session.get(OutboxMessage, sent.id).accepted_at == accepted_at
    untouched = db.session.get(OutboxMessage, pending.id)
    assert "Aline Martin" in untouched.body_text and untouched.body_purged_at is None

    [entry] = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "notification.bodies_purged")
    ).all()
    details = json.loads(entry.details)
    assert details["count"] == 2 and details["retention_days"] == 90
    assert "Aline" not in entry.details
    assert services.purge_bodies(clock() + timedelta(days=1)) == 0  # idempotent

    with pytest.raises(Conflict) as refused:
        services.retry_failed(failed.id, actor=None, now=clock())
    assert "effacé" in str(refused.value)
