"""The administrators' page and API of the outbox: who may see it, retrying a failed message."""

import json

import pytest
from sqlalchemy import select

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications import services
from rgpd_app.notifications.models import OutboxMessage


@pytest.fixture
def failed_message(app, clock):
    """A message that gave up: SMTP points at a closed port and one attempt is allowed."""
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, OUTBOX_MAX_ATTEMPTS=1)
    message = services.enqueue_email(
        to="dpo@commune.example",
        template="notice",
        context={"title": "Audit annoncé", "lines": ["Données de M. Paul Durand."]},
        now=clock(),
    )
    db.session.commit()
    assert services.send_due(clock())["failed"] == 1
    return message


def test_admin_sees_failed_messages_and_retries_one(client, login_as, failed_message, clock):
    login_as("admin")
    page = client.get("/notifications/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "En échec" in html and "dpo@commune.example" in html
    assert "ConnectionRefusedError" in html and "Renvoyer" in html
    assert 'href="/notifications/"' in client.get("/dashboard").get_data(as_text=True)

    answer = client.post(f"/notifications/{failed_message.id}/retry")
    assert answer.status_code == 302
    message = db.session.get(OutboxMessage, failed_message.id)
    db.session.refresh(message)
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 0, clock())
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "notification.retry")
    ).one()
    assert json.loads(entry.details)["state"] == "failed" and entry.user_id is not None
    follow = client.get(answer.location).get_data(as_text=True)
    assert "sera renvoyé" in follow and "Envoyer maintenant" in follow


def test_retrying_a_sent_message_is_refused(client, login_as, app, clock):
    app.config["SMTP_HOST"] = ""
    message = services.enqueue_email(
        to="dpo@commune.example", template="notice", context={"title": "T"}, now=clock()
    )
    db.session.commit()
    services.send_due(clock())
    login_as("admin")
    page = client.post(f"/notifications/{message.id}/retry", follow_redirects=True)
    assert "Seul un message en échec" in page.get_data(as_text=True)
    assert db.session.get(OutboxMessage, message.id).state == "sent"


def test_state_filter(client, login_as, failed_message):
    login_as("admin")
    assert "dpo@commune.example" in client.get("/notifications/?state=failed").get_data(
        as_text=True
    )
    assert "Aucun message." in client.get("/notifications/?state=pending").get_data(as_text=True)


@pytest.mark.parametrize("role", ["processor_dpo", "controller_dpo"])
def test_page_and_retry_are_refused_to_dpos(client, login_as, make_org, role, failed_message):
    login_as(role, None if role == "processor_dpo" else make_org())
    assert client.get("/notifications/").status_code == 403
    assert client.post(f"/notifications/{failed_message.id}/retry").status_code == 403
    assert db.session.get(OutboxMessage, failed_message.id).state == "failed"


def test_anonymous_is_sent_to_login(client):
    assert client.get("/notifications/").status_code == 302


def test_api_lists_messages_for_admins_only(api, make_user, make_org, failed_message):
    answer = api(make_user("admin")).get("/api/v1/notifications?state=failed")
    assert answer.status_code == 200
    [item] = answer.json["items"]
    assert item["message_id"] == failed_message.message_id
    assert item["state"] == "failed" and item["attempts"] == 1
    assert "body_text" not in item and "context" not in item
    for user in (make_user("processor_dpo"), make_user("controller_dpo", make_org())):
        refused = api(user).get("/api/v1/notifications")
        assert refused.status_code == 403 and refused.json["code"] == "forbidden"


def test_api_path_is_described(client):
    assert "/api/v1/notifications" in client.get("/api/v1/openapi.json").json["paths"]
