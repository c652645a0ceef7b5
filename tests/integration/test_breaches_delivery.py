"""Real components: the notice's clock waits for a real SMTP server (aiosmtpd on the
loopback) that is down, then up; the security alert reaches a real webhook receiver."""

import email
import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from rgpd_app import scheduler
from rgpd_app.breaches import services
from rgpd_app.extensions import db
from tests.breaches_support import actor, record

SECRET = "breach-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app):
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    inbox, running = Inbox(), []

    class Server:
        messages = inbox.messages

        def start(self):
            controller = Controller(inbox, hostname="127.0.0.1", port=port)
            controller.start()
            running.append(controller)

    yield Server()
    while running:
        running.pop().stop()


@pytest.fixture
def receiver(app):
    port = free_port()
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(expected, self.headers.get("X-RGPD-Signature", ""))
            if ok:
                received.append(json.loads(body))
            self.send_response(204 if ok else 401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(WEBHOOK_URLS=[f"http://127.0.0.1:{port}/hooks"], WEBHOOK_SECRET=SECRET)
    yield received
    server.shutdown()
    server.server_close()


def test_mail_server_down_delays_the_notice_and_its_clock(
    app, clock, smtp, receiver, make_user, make_org
):
    officer = make_user("security_officer")
    town = make_org("Thionville", departement="57")
    breach = record(officer, clock, [town])
    services.confirm_notice(breach.notices[0].id, actor=actor(officer, clock), now=clock())

    scheduler.tick(clock())  # the server is down: nothing accepted
    notice = breach.notices[0]
    db.session.refresh(notice)
    assert notice.notified_at is None and notice.authority_deadline_at is None
    assert services.delivery(notice).is_waiting
    assert smtp.messages == []
    assert [hook["type"] for hook in receiver] == ["breach.recorded"]
    assert receiver[0]["data"]["reference"] == breach.reference

    clock.advance(hours=3)
    smtp.start()
    scheduler.tick(clock())  # the retry is due after the backoff
    db.session.refresh(notice)
    assert notice.notified_at == clock()
    assert notice.authority_deadline_at == clock() + timedelta(hours=72)
    notices = [m for m in smtp.messages if "information du responsable" in m["Subject"]]
    assert [m["To"] for m in notices] == [town.dpo_email]
    body = notices[0].get_body(("plain",)).get_content()
    assert "Un rançongiciel a chiffré le partage" in body
    assert f"/breaches/notices/{notice.id}" in body
