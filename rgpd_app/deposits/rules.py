"""Deposit rules: who does what, states, retention flag, FTP transport and retry policy. Pure."""

import ipaddress
from datetime import datetime, timedelta

from rgpd_app.foundation.roles import CONTROLLER_DPO, PROCESSOR_DPO, SECURITY_OFFICER, SUPPORT

RECEIVED, SENT = "received", "sent"  # directions
WEB, FTP = "web", "ftp"  # sources

# States (annex §1: data received for an intervention is destroyed once it is closed).
STATE_RECEIVED = "received"  # downloaded, not yet checked
VERIFIED = "verified"
QUARANTINED = "quarantined"
STATE_SENT = "sent"
PENDING_UPLOAD = "pending_upload"
DESTROYED = "destroyed"
HELD = (STATE_RECEIVED, VERIFIED, QUARANTINED, STATE_SENT, PENDING_UPLOAD)

STATE_LABELS = {
    STATE_RECEIVED: "Reçu, en vérification",
    VERIFIED: "Vérifié (AES-256)",
    QUARANTINED: "En quarantaine",
    STATE_SENT: "Déposé sur le FTP",
    PENDING_UPLOAD: "En attente d'envoi",
    DESTROYED: "Détruit",
}
DIRECTION_LABELS = {RECEIVED: "Reçu", SENT: "Envoyé"}
INTERVENTION_LABELS = {"open": "Ouverte", "closed": "Close, à valider", "validated": "Validée"}

# Roles: the processor's support and security staff handle deposits for every municipality,
# its DPO reads and validates closures, the municipality's DPO sees and sends its own.
HANDLERS = (SUPPORT, SECURITY_OFFICER)
READERS = (*HANDLERS, PROCESSOR_DPO, CONTROLLER_DPO)
UPLOADERS = (*HANDLERS, CONTROLLER_DPO)
DOWNLOADERS = (*HANDLERS, CONTROLLER_DPO)
QUARANTINE_READERS = (SECURITY_OFFICER,)
CLOSERS = (*HANDLERS, PROCESSOR_DPO)
VALIDATORS = (PROCESSOR_DPO,)

# Upload retries: 1, 2, 4 … minutes, then every hour, for ever (a sent file is never dropped).
RETRY_CAP = timedelta(hours=1)


def next_attempt_at(now: datetime, attempts: int) -> datetime:
    """When to try the upload again after `attempts` failures (exponential, capped)."""
    delay = timedelta(minutes=2 ** max(0, min(attempts - 1, 10)))
    return now + min(delay, RETRY_CAP)


def destroy_by(created_at: datetime, max_days: int) -> datetime:
    """Instant after which a still-held deposit is flagged (elapsed days, in UTC)."""
    return created_at + timedelta(days=max_days)


def is_overdue(state: str, created_at: datetime, now: datetime, max_days: int) -> bool:
    return state in HELD and now > destroy_by(created_at, max_days)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost" (plain FTP is allowed only there)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def transport_refusal(host: str, use_tls: bool) -> str | None:
    """Why the FTP connection must not be made, in French, or None."""
    if not host:
        return "Serveur FTP non configuré (RGPD_FTP_HOST)."
    if not use_tls and not is_loopback(host):
        return (
            f"FTP sans TLS refusé vers « {host} » : le FTP en clair n'est permis que sur la "
            "boucle locale (tests). Activez RGPD_FTP_TLS (FTPS explicite)."
        )
    return None


def intervention_refusal(state: str, action: str, *, closer_id=None, actor_id=None) -> str | None:
    """Why an intervention in `state` cannot be closed / validated / receive files."""
    if action in ("close", "attach") and state != "open":
        return "L'intervention est déjà close."
    if action == "validate":
        if state == "open":
            return "L'intervention doit d'abord être close."
        if state == "validated":
            return "La clôture est déjà validée."
        if closer_id is not None and closer_id == actor_id:
            return "La clôture doit être validée par une autre personne que celle qui l'a faite."
    return None
