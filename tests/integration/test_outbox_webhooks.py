"""Signed webhooks against a real HTTP receiver on the loopback."""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.notifications import services
from rgpd_app.notifications.models import OutboxAttempt, OutboxMessage

SECRET = "webhook-secret-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """A ThreadingHTTPServer that checks the HMAC signature and keeps what it accepted."""

    def __init__(self, port: int, secret: str = SECRET):
        self.port, self.secret = port, secret
        self.received = []
        self.server = None
        self.unavailable = 0  # answer 503 to this many deliveries first

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = (
                    "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                )
                signature = self.headers.get("X-RGPD-Signature", "")
                if not hmac.compare_digest(expected, signature):
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.received.append((self.headers, json.loads(body)))
                if receiver.unavailable:
                    receiver.unavailable -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver(app):
    rec = Receiver(free_port())
    app.config.update(
        WEBHOOK_URLS=[f"http://127.0.0.1:{rec.port}/hooks/rgpd?token=abc"],
        WEBHOOK_SECRET=SECRET,
    )
    yield rec
    rec.stop()


def enqueue(clock, org=None):
    messages = services.enqueue_webhook(
        event_type="breach.created",
        payload={"id": 7, "severity": "high"},
        organisation_id=org.id if org else None,
        now=clock(),
    )
    db.session.commit()
    return messages


def test_webhook_is_signed_and_delivered_once(app, clock, receiver, make_org):
    receiver.start()
    org = make_org()
    [message] = enqueue(clock, org)
    assert (message.event_type, message.event_id) == ("breach.created", "7")

    assert services.send_due(clock()) == {"sent": 1, "retry": 0, "failed": 0}
    assert services.send_due(clock())["sent"] == 0
    [(headers, body)] = receiver.received
    assert headers["X-RGPD-Message-Id"] == headers["Idempotency-Key"] == message.message_id
    assert headers["X-RGPD-Timestamp"] == str(int(clock().timestamp()))
    assert body == {
        "id": message.message_id,
        "type": "breach.created",
        "created_at": clock().isoformat(),
        "organisation_id": org.id,
        "data": {"id": 7, "severity": "high"},
    }
    db.session.refresh(message)
    assert message.state == "sent" and message.accepted_at == clock()
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "notification.sent")
    ).one()
    details = json.loads(entry.details)
    assert details["channel"] == "webhook"
    assert details["recipient"] == f"http://127.0.0.1:{receiver.port}/hooks/rgpd"  # no token
    assert "severity" not in entry.details


def test_receiver_down_then_back(app, clock, receiver):
    [message] = enqueue(clock)
    assert services.send_due(clock())["retry"] == 1
    db.session.refresh(message)
    assert message.state == "pending" and "Connection refused" in message.last_error
    assert message.next_attempt_at == clock() + timedelta(minutes=1)

    receiver.start()
    clock.advance(minutes=1)
    assert services.send_due(clock())["sent"] == 1
    assert len(receiver.received) == 1


def test_a_wrong_signature_is_refused_and_retried_later(app, clock, receiver):
    receiver.secret = "another-secret"
    receiver.start()
    [message] = enqueue(clock)
    assert services.send_due(clock())["retry"] == 1
    db.session.refresh(message)
    assert message.last_error.startswith("HTTP 401") and receiver.received == []


def test_without_a_secret_nothing_unsigned_leaves(app, clock, receiver):
    receiver.start()
    app.config["WEBHOOK_SECRET"] = ""
    [message] = enqueue(clock)
    assert services.send_due(clock())["retry"] == 1
    db.session.refresh(message)
    assert "RGPD_WEBHOOK_SECRET" in message.last_error and receiver.received == []


def test_no_configured_url_means_no_message(app, clock):
    app.config["WEBHOOK_URLS"] = []
    assert enqueue(clock) == []
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_every_webhook_attempt_is_kept_and_carries_the_same_idempotency_key(app, clock, receiver):
    receiver.unavailable = 2
    receiver.start()
    [message] = enqueue(clock)
    for _ in range(3):
        services.send_due(clock())
        clock.advance(minutes=5)
    db.session.refresh(message)
    assert message.state == "sent" and message.accepted_attempt == 3
    assert message.acceptance_reply == "HTTP 204"
    keys = {headers["Idempotency-Key"] for headers, _ in receiver.received}
    assert keys == {message.message_id}  # the receiver dedupes on it
    assert [headers["X-RGPD-Attempt"] for headers, _ in receiver.received] == ["1", "2", "3"]
    attempts = db.session.scalars(
        select(OutboxAttempt)
        .where(OutboxAttempt.message_pk == message.id)
        .order_by(OutboxAttempt.number)
    ).all()
    assert [(a.number, a.outcome) for a in attempts] == [
        (1, "refused"),
        (2, "refused"),
        (3, "accepted"),
    ]
    assert attempts[0].reply.startswith("HTTP 503") and attempts[2].reply == "HTTP 204"
    assert message.accepted_at == attempts[2].accepted_at
