"""Transports: SMTP (STARTTLS), .eml files in the embedded default, signed webhooks."""

import hashlib
import hmac
import os
import smtplib
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


def send_email(row, config) -> None:
    """Hand the message to the SMTP server, or write it as a .eml file when none is set."""
    message = build_message(row, mail_from=config["MAIL_FROM"])
    if not config["SMTP_HOST"]:
        _write_eml(message.as_bytes(), eml_path(config["MAIL_DIR"], row.message_id))
        return
    try:
        with smtplib.SMTP(
            config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"]
        ) as smtp:
            smtp.ehlo()
            if config["SMTP_STARTTLS"]:
                context = ssl.create_default_context(cafile=config["SMTP_CAFILE"] or None)
                smtp.starttls(context=context)
                smtp.ehlo()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message, from_addr=config["MAIL_FROM"], to_addrs=[row.recipient])
    except smtplib.SMTPRecipientsRefused as err:
        codes = [code for code, _ in err.recipients.values()]
        raise DeliveryError(
            f"SMTP : destinataire refusé {codes}", permanent=all(c >= 500 for c in codes)
        ) from err
    except smtplib.SMTPResponseException as err:
        text = err.smtp_error.decode(errors="replace") if err.smtp_error else ""
        raise DeliveryError(
            f"SMTP {err.smtp_code} : {text}"[:500], permanent=err.smtp_code >= 500
        ) from err
    except (smtplib.SMTPException, OSError) as err:
        raise DeliveryError(f"SMTP : {type(err).__name__}: {err}"[:500]) from err


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


def post_webhook(row, config, *, timestamp: int) -> int:
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
            "Idempotency-Key": row.message_id,
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
