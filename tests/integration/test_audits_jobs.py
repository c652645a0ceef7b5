"""Audit worker jobs through the scheduler tick, and the audit clocks in "Mes échéances"."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from rgpd_app import scheduler
from rgpd_app.audits import decisions, measures, progress
from rgpd_app.audits.models import AuditRequest
from rgpd_app.clocks.services import echeances_for
from rgpd_app.extensions import db
from rgpd_app.notifications.models import OutboxMessage
from tests.audit_support import nda

CLOSES_AT = datetime(2026, 3, 17, 23, 0, tzinfo=UTC)


@pytest.fixture
def request_ctx(app):
    """Providers build page links, as in a request."""
    with app.test_request_context():
        yield


def audit_mails() -> int:
    stmt = select(func.count()).where(OutboxMessage.event_type == "audit_request")
    return db.session.scalar(stmt)


def test_two_ticks_at_the_same_instant_accept_once_and_mail_once(requested, app):
    app.config["SMTP_HOST"] = ""
    scheduler.tick(datetime(2026, 3, 17, 22, 59, 59, tzinfo=UTC))
    assert db.session.get(AuditRequest, requested.id).state == "requested"
    first = scheduler.tick(CLOSES_AT)
    assert first["audits.silent_acceptance"] == 1
    mails = audit_mails()
    second = scheduler.tick(CLOSES_AT)
    assert second["audits.silent_acceptance"] == 0
    assert audit_mails() == mails
    assert db.session.get(AuditRequest, requested.id).state == "accepted"


def test_silence_never_waives_the_yearly_limit(requested, people, clock):
    from rgpd_app.audits import submission
    from tests.audit_support import request_data

    extra = submission.request_audit(
        request_data(start_on=date(2026, 9, 1), end_on=date(2026, 9, 2), ask_agreement=True),
        [nda()],
        actor=people.actor(people.controller_dpo),
        now=clock(),
    )
    scheduler.tick(CLOSES_AT)
    assert db.session.get(AuditRequest, extra.id).state == "requested"
    assert db.session.get(AuditRequest, requested.id).state == "accepted"


def test_echeances_for_each_side(requested, people, make_user, other_town, clock, request_ctx):
    pdpo = people.actor(people.processor_dpo)
    cdpo = people.actor(people.controller_dpo)
    with_uid = {e.uid: e for e in echeances_for(pdpo, now=clock())}
    refusal = with_uid[f"audit-{requested.id}-refusal"]
    assert refusal.due_at == CLOSES_AT and refusal.deadline == date(2026, 3, 17)
    assert refusal.steps
    assert not [e for e in echeances_for(cdpo, now=clock()) if e.kind.startswith("audit")]
    stranger = people.actor(make_user("controller_dpo", other_town))
    assert not [e for e in echeances_for(stranger, now=clock()) if e.kind.startswith("audit")]

    decisions.accept(requested.id, actor=pdpo, now=clock())
    kinds = {e.kind for e in echeances_for(cdpo, now=clock())}
    assert "audit-start" in kinds
    clock.set(datetime(2026, 4, 2, 7, 0, tzinfo=UTC))
    progress.start(requested.id, actor=cdpo, now=clock())
    progress.upload_report(requested.id, nda("r.pdf", b"r"), actor=cdpo, now=clock())
    obs = [e for e in echeances_for(pdpo, now=clock()) if e.kind == "audit-observations"]
    assert obs[0].deadline == date(2026, 4, 17)
    progress.send_observations(requested.id, "RAS", None, actor=pdpo, now=clock())
    progress.require_corrective_plan(requested.id, actor=cdpo, now=clock())
    measures.add_measure(
        requested.id, {"description": "MFA", "owner": "DSI"}, actor=pdpo, now=clock()
    )
    for actor in (pdpo, cdpo):
        measure = [e for e in echeances_for(actor, now=clock()) if e.kind == "audit-measure"]
        assert measure[0].deadline == date(2026, 7, 2)


def test_ical_feed_lists_the_refusal_deadline(client, requested, people, clock):
    from rgpd_app.clocks.services import create_feed_token

    token = create_feed_token(actor=people.actor(people.processor_dpo), now=clock())
    body = client.get(f"/echeances/ical/{token}.ics").get_data(as_text=True)
    assert f"audit-{requested.id}-refusal" in body
