"""Transports: SMTP (STARTTLS), .eml files in the embedded default, signed webhooks."""

import hashlib
import hmac
import os
import re
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from pathlib import Path

from rgpd_app.notifications.emails import build_message

USER_AGENT = "rgpd_app-webhook/1"


class DeliveryError(Exception):
    """An attempt failed; `permanent` when trying again cannot help (a 5xx SMTP refusal)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def eml_path(mail_dir: str, message_id: str) -> Path:
    """Where the embedded default writes a message: named by its id, never by its content."""
    name = message_id.strip("<>").replace("/", "_")
    return Path(mail_dir) / f"{name}.eml"


# Postfix "queued as 4Fq…", Exim "id=1rX…", Sendmail/others "… Message accepted … <id>".
_QUEUE_ID = re.compile(rb"(?:queued as|id=)\s*([A-Za-z0-9][A-Za-z0-9._-]{2,60})", re.IGNORECASE)


def queue_id_of(reply: bytes) -> str:
    """The queue id a server put in its 250 reply to DATA, or empty when it gives none."""
    found = _QUEUE_ID.search(reply or b"")
    return found.group(1).decode("ascii", "replace") if found else ""


def _noop(*args) -> None:
    return None


def send_email(row, config, *, on_data_sent=_noop, on_accepted=_noop) -> None:
    """Hand the message to the SMTP server, or write it as a .eml file when none is set.

    `on_data_sent()` is called once the whole message is on the wire, just before its final
    dot; `on_accepted(reply, queue_id)` as soon as the server answers 250 to DATA, before QUIT:
    that answer is the acceptance (the clocks start there), and nothing that fails after it (a
    slow or broken QUIT) turns it into a failure."""
    message = build_message(row, mail_from=config["MAIL_FROM"])
    if not config["SMTP_HOST"]:
        _write_eml(message.as_bytes(), eml_path(config["MAIL_DIR"], row.message_id))
        on_accepted(".eml écrit dans le dossier de courrier", "")
        return
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    smtp = None
    try:
        smtp = smtplib.SMTP(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"]
        )
        smtp.ehlo()
        if config["SMTP_STARTTLS"]:
            context = ssl.create_default_context(cafile=config["SMTP_CAFILE"] or None)
            smtp.starttls(context=context)
            smtp.ehlo()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        reply = _transaction(smtp, config["MAIL_FROM"], row.recipient, data, on_data_sent)
    except smtplib.SMTPResponseException as err:
        _close(smtp)
        text = err.smtp_error.decode(errors="replace") if err.smtp_error else ""
        raise DeliveryError(
            f"SMTP {err.smtp_code} : {text}"[:500], permanent=err.smtp_code >= 500
        ) from err
    except (smtplib.SMTPException, OSError) as err:
        _close(smtp)
        raise DeliveryError(f"SMTP : {type(err).__name__}: {err}"[:500]) from err
    except BaseException:
        _close(smtp)  # on_data_sent could not record: the final dot was never sent
        raise
    try:
        on_accepted(reply.decode("utf-8", "replace")[:1000], queue_id_of(reply))
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()  # the message is accepted: a failed QUIT changes nothing


def _close(smtp) -> None:
    if smtp is not None:
        smtp.close()


def _transaction(smtp, sender: str, recipient: str, data: bytes, on_data_sent) -> bytes:
    """MAIL, RCPT, DATA by hand (smtplib's sendmail reads DATA's answer and QUITs in one go):
    returns the server's 250 reply to DATA; raises SMTPResponseException on any refusal."""
    options = []
    if not data.isascii() and smtp.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    if not (sender + recipient).isascii():
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("le serveur n'accepte pas SMTPUTF8")
        options.append("SMTPUTF8")
    code, reply = smtp.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPResponseException(code, reply)
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = re.sub(rb"(?m)^\.", b"..", data)  # RFC 5321 §4.5.2 dot-stuffing
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    # The body and its final dot leave in two writes: without TCP_NODELAY, Nagle's algorithm
    # holds the dot until the server's delayed ACK (40 ms a message on the loopback).
    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    smtp.send(body)
    # Recorded before the final dot: if it cannot be recorded the server never accepts the
    # message; if the sender dies after the dot, this instant is its presumed acceptance.
    on_data_sent()
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return reply


def _write_eml(data: bytes, path: Path) -> None:
    """Write atomically (a reader never sees half a message), readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def signature(secret: str, body: bytes) -> str:
    """Value of X-RGPD-Signature: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we refuse: the body would not reach the configured URL."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_webhook(row, config, *, timestamp: int, attempt: int = 1) -> int:
    """POST the frozen JSON body, signed; returns the 2xx status, raises DeliveryError else."""
    secret = config["WEBHOOK_SECRET"]
    if not secret:
        raise DeliveryError("RGPD_WEBHOOK_SECRET n'est pas configuré : webhook non signé.")
    if not row.recipient.startswith(("https://", "http://")):
        raise DeliveryError("URL de webhook invalide (http ou https attendu).", permanent=True)
    body = row.context.encode()
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        row.recipient,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-RGPD-Signature": signature(secret, body),
            "X-RGPD-Timestamp": str(timestamp),
            "X-RGPD-Message-Id": row.message_id,
            "Idempotency-Key": row.message_id,  # the same on every attempt: dedupe on it
            "X-RGPD-Attempt": str(attempt),
        },
    )
    try:
        with _opener.open(request, timeout=config["WEBHOOK_TIMEOUT_SECONDS"]) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        err.close()
        raise DeliveryError(f"HTTP {err.code} {err.reason}"[:500]) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DeliveryError(f"Webhook : {type(err).__name__}: {reason}"[:500]) from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")
    return status
