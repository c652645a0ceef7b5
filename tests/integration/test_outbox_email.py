"""The e-mail outbox against a real SMTP server (aiosmtpd on the loopback)."""

import datetime as dt
import email
import ipaddress
import json
import socket
import ssl
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from rgpd_app import scheduler
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry, record
from rgpd_app.notifications import channels, delivery, services
from rgpd_app.notifications.models import OutboxMessage

CONTEXT = {
    "title": "Nouvelle violation de données",
    "lines": ["Le dossier de Mme Aline Martin est concerné.", "Délai : 72 heures."],
    "link": "/breaches/7",
}


class Collector:
    """aiosmtpd handler keeping every message it accepts; `refuse` answers 550 to RCPT."""

    def __init__(self, refuse=False):
        self.messages = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    """Start/stop an SMTP server on a fixed free port; the app is configured to use it."""
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    started = []

    class Server:
        def __init__(self):
            self.port = port
            self.handler = Collector()

        def start(self, **kwargs):
            controller = Controller(self.handler, hostname="127.0.0.1", port=port, **kwargs)
            controller.start()
            started.append(controller)
            return self

        def stop(self):
            while started:
                started.pop().stop()

    server = Server()
    yield server
    server.stop()


def enqueue(clock, to="dpo@commune.example", org=None, **context):
    message = services.enqueue_email(
        to=to,
        template="notice",
        context={**CONTEXT, **context},
        organisation_id=org.id if org else None,
        event=("breach", 7),
        now=clock(),
    )
    db.session.commit()
    return message


def test_message_is_written_in_the_transaction_of_its_event(app, clock):
    record("breach.create", now=clock(), object_type="breach", object_id=7)
    services.enqueue_email(
        to="dpo@commune.example", template="notice", context=CONTEXT, now=clock()
    )
    db.session.rollback()
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert db.session.scalars(select(JournalEntry)).all() == []

    record("breach.create", now=clock(), object_type="breach", object_id=7)
    enqueue(clock)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 0, clock())
    assert (message.event_type, message.event_id) == ("breach", "7")
    assert message.message_id.startswith("<") and message.message_id.endswith("@rgpd_app>")


def test_message_is_sent_once_and_journaled_without_its_body(app, clock, smtp, make_org):
    smtp.start()
    org = make_org("Commune de Vitré")
    message = enqueue(clock, org=org)

    assert scheduler.tick(clock())["outbox.send"] == {"sent": 1, "retry": 0, "failed": 0}
    assert services.send_due(clock()) == {"sent": 0, "retry": 0, "failed": 0}

    [received] = smtp.handler.messages
    assert received["Message-ID"] == message.message_id
    assert received["Subject"] == "[RGPD] Nouvelle violation de données"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(("plain",)).get_content()
    assert "Aline Martin" in text and "http://127.0.0.1:5000/breaches/7" in text
    assert "Aline Martin" in received.get_body(("html",)).get_content()

    db.session.refresh(message)
    assert (message.state, message.attempts) == ("sent", 1)
    assert message.sent_at == message.accepted_at == clock()
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "notification.sent")
    ).one()
    details = json.loads(entry.details)
    assert details["message_id"] == message.message_id
    assert details["recipient"] == "dpo@commune.example"
    assert details["channel"] == "email" and details["template"] == "notice"
    assert entry.organisation_id == org.id
    assert "Aline" not in entry.details and "violation" not in entry.details


def test_server_down_keeps_the_message_and_backs_off_until_it_is_back(app, clock, smtp):
    message = enqueue(clock)  # nothing listens on smtp.port yet
    start = clock()

    assert services.send_due(clock()) == {"sent": 0, "retry": 1, "failed": 0}
    db.session.refresh(message)
    assert (message.state, message.attempts) == ("pending", 1)
    assert message.next_attempt_at == start + timedelta(minutes=1)
    assert "ConnectionRefusedError" in message.last_error
    assert services.send_due(clock()) == {"sent": 0, "retry": 0, "failed": 0}  # not due yet

    clock.advance(minutes=1)
    services.send_due(clock())
    db.session.refresh(message)
    assert message.attempts == 2 and message.next_attempt_at == clock() + timedelta(minutes=2)

    smtp.start()
    clock.advance(minutes=1)
    assert services.send_due(clock())["sent"] == 0  # backoff still running
    clock.advance(minutes=1)
    assert services.send_due(clock())["sent"] == 1
    db.session.refresh(message)
    assert (message.state, message.attempts, message.last_error) == ("sent", 3, "")
    assert len(smtp.handler.messages) == 1


def test_a_worker_killed_mid_send_is_retried_once_after_the_timeout(app, clock, smtp):
    smtp.start()
    message = enqueue(clock)
    delivery.claim_next(clock())  # the attempt was recorded, then the worker died
    db.session.refresh(message)
    assert (message.state, message.attempts) == ("sending", 1)

    clock.advance(minutes=9)
    assert services.send_due(clock())["sent"] == 0  # it may still be sending
    clock.advance(minutes=1)
    assert services.send_due(clock())["sent"] == 1
    clock.advance(minutes=30)
    assert services.send_due(clock())["sent"] == 0
    db.session.refresh(message)
    assert (message.state, message.attempts) == ("sent", 2)
    assert [m["Message-ID"] for m in smtp.handler.messages] == [message.message_id]


def test_gives_up_after_max_attempts_then_an_administrator_retries(app, clock, smtp, make_user):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    message = enqueue(clock)
    outcomes = []
    for _ in range(3):
        outcomes.append(services.send_due(clock()))
        clock.advance(hours=1)
    assert [o["retry"] for o in outcomes] == [1, 1, 0] and outcomes[2]["failed"] == 1
    db.session.refresh(message)
    assert (message.state, message.attempts) == ("failed", 3)
    assert services.send_due(clock()) == {"sent": 0, "retry": 0, "failed": 0}
    failed = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "notification.failed")
    ).one()
    assert "ConnectionRefusedError" in json.loads(failed.details)["error"]

    from rgpd_app.foundation.actor import actor_for

    admin = actor_for(make_user("admin"), clock())
    services.retry_failed(message.id, actor=admin, now=clock())
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 0, clock())
    smtp.start()
    assert services.send_due(clock())["sent"] == 1


def test_a_permanent_refusal_fails_at_once(app, clock, smtp):
    smtp.handler.refuse = True
    smtp.start()
    message = enqueue(clock, to="nobody@commune.example")
    assert services.send_due(clock())["failed"] == 1
    db.session.refresh(message)
    assert message.state == "failed" and "550" in message.last_error


def test_without_smtp_host_the_message_is_an_eml_file(app, clock):
    app.config["SMTP_HOST"] = ""
    message = enqueue(clock)
    assert services.send_due(clock())["sent"] == 1
    path = channels.eml_path(app.config["MAIL_DIR"], message.message_id)
    assert path.name == message.message_id.strip("<>") + ".eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == message.message_id
    assert parsed["From"] == app.config["MAIL_FROM"]
    assert parsed["To"] == "dpo@commune.example"
    assert parsed["Date"].datetime == clock()
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert path.stat().st_mode & 0o077 == 0


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_starttls_with_a_self_signed_certificate(app, clock, smtp, tmp_path):
    cert_file, key_file = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    smtp.start(tls_context=server_tls, require_starttls=True)
    message = enqueue(clock)

    # Without trusting the certificate the attempt fails and the message waits.
    app.config.update(SMTP_STARTTLS=True, SMTP_CAFILE="")
    assert services.send_due(clock())["retry"] == 1
    db.session.refresh(message)
    assert "SSL" in message.last_error or "certificate" in message.last_error

    app.config["SMTP_CAFILE"] = str(cert_file)
    clock.advance(minutes=1)
    assert services.send_due(clock())["sent"] == 1
    assert [m["Message-ID"] for m in smtp.handler.messages] == [message.message_id]
