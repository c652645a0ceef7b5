"""What keeps the sealed journal from being rewritten without trace, beyond the SHA-256 chain:

- each seal's hash is signed with the instance's Ed25519 key (the evidence-pack key, kept in the
  instance folder, never in the database): recomputing the chain after an edit needs that key;
- the latest seal is kept as an anchor in the instance folder, and sent each week to every
  municipality's DPO (and so in their journal extract and evidence packs): deleting the tail of
  the chain, or rewriting it, is caught by comparing with what they hold;
- a seal is marked purged only by the journaled purge, oldest first;
- rows are sealed within minutes (the worker's tick); older unsealed rows are reported.
"""

import base64
import json
import os
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import signing
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.journal.models import JournalSeal

ANCHOR_FILE = "journal-anchor.json"


class ChainRefused(Exception):
    """The sealer will not extend a chain that no longer holds the instance's anchor. (A
    database replaced on purpose, a demo reset say, comes with its own instance folder, or
    with the old anchor file moved aside.)"""


PURGE = "journal.purge"


def signed_bytes(seal_id: int, seal_hash: str) -> bytes:
    """What a seal's signature covers: its place in the chain and its hash."""
    return f"rgpd-journal-seal/1|{seal_id}|{seal_hash}".encode()


def sign(link: JournalSeal, now: datetime) -> None:
    kid, signature = signing.sign(signed_bytes(link.id, link.hash), now=now)
    link.key_id, link.signature = kid, base64.b64encode(signature).decode()


def signature_problem(link: JournalSeal, keys: list[signing.PublicKey]) -> str:
    if not link.signature or not link.key_id:
        return f"seal {link.id}: not signed"
    try:
        signature = base64.b64decode(link.signature, validate=True)
    except ValueError:
        return f"seal {link.id}: unreadable signature"
    refused = signing.verify_with(keys, link.key_id, signed_bytes(link.id, link.hash), signature)
    if refused:
        return f"seal {link.id}: signature does not verify with the published key {link.key_id}"
    return ""


# --- The anchor kept outside the database ------------------------------------------------------


def anchor_path() -> Path:
    return Path(current_app.instance_path) / ANCHOR_FILE


def anchor_of(link: JournalSeal) -> dict:
    return {
        "seal_id": link.id,
        "hash": link.hash,
        "key_id": link.key_id,
        "signature": link.signature,
        "sealed_at": link.sealed_at.isoformat(),
    }


def write_anchor(link: JournalSeal) -> None:
    """The latest seal, written to the instance folder (0600) by replacing the file whole."""
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(anchor_of(link), out, sort_keys=True)
    os.replace(partial, path)


def read_anchor() -> dict | None:
    try:
        return json.loads(anchor_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def check_extends_anchor(previous: JournalSeal | None) -> None:
    """Raise ChainRefused unless the chain's last seal is the anchored one or follows it: a new
    seal, signed with our key, must never hide a deleted or rewritten tail."""
    anchor = read_anchor()
    if anchor is None:
        return
    if previous is None or previous.id < int(anchor["seal_id"]):
        hashes = {previous.id: previous.hash} if previous else {}
        raise ChainRefused(anchor_problem(anchor, hashes, "the instance's anchor"))
    if previous.id == int(anchor["seal_id"]) and previous.hash != anchor["hash"]:
        raise ChainRefused(f"seal {previous.id}: differs from the instance's anchor")


def anchor_problem(anchor: dict, hashes: dict[int, str], source: str) -> str:
    """Empty when the chain still holds the anchored seal as it was; else what differs."""
    seal_id, expected = int(anchor["seal_id"]), anchor["hash"]
    if seal_id not in hashes:
        last = max(hashes, default=0)
        return (
            f"seal {seal_id}: missing, though {source} holds it (the chain ends at seal {last}: "
            "its tail was deleted)"
        )
    if hashes[seal_id] != expected:
        return f"seal {seal_id}: differs from {source} (the chain was rewritten)"
    return ""


# --- Purges --------------------------------------------------------------------------------------


def purge_problem(seals: list[JournalSeal]) -> str:
    """A seal is purged only by the journaled purge: the oldest seals first, each purge's
    journal row giving the moment and the number of rows it deleted."""
    purges = {}
    for at, details in db.session.execute(
        select(JournalEntry.at, JournalEntry.details).where(JournalEntry.action == PURGE)
    ):
        purges[at] = json.loads(details or "{}").get("rows")
    purged_rows = Counter()
    unpurged_seen = None
    for link in seals:
        if link.purged_at is None:
            unpurged_seen = unpurged_seen or link
            continue
        if unpurged_seen is not None:
            return (
                f"seal {link.id}: marked purged after seal {unpurged_seen.id}, which is not "
                "(a purge removes the oldest seals first)"
            )
        if link.purged_at not in purges:
            return f"seal {link.id}: marked purged without a journaled purge at that time"
        purged_rows[link.purged_at] += link.entry_count
    for at, rows in purged_rows.items():
        if purges[at] is not None and purges[at] != rows:
            first = next(s.id for s in seals if s.purged_at == at)
            return (
                f"seal {first}: the purge of {at.isoformat()} journaled {purges[at]} rows, "
                f"its seals cover {rows}"
            )
    return ""


# --- Rows not sealed yet ---------------------------------------------------------------------


def unsealed(last_sealed_id: int, now: datetime) -> tuple[int, str]:
    """(rows not sealed yet, the problem when one is older than the sealing delay or sits
    inside the sealed range)."""
    count, oldest, lowest = db.session.execute(
        select(func.count(), func.min(JournalEntry.at), func.min(JournalEntry.id)).where(
            JournalEntry.seal_id.is_(None)
        )
    ).one()
    if not count:
        return 0, ""
    if lowest < last_sealed_id:
        return count, f"row {lowest}: not sealed, inside the sealed range (inserted afterwards)"
    limit = timedelta(minutes=current_app.config["JOURNAL_SEAL_MAX_MINUTES"])
    if oldest is not None and now - oldest > limit:
        minutes = int(limit.total_seconds() // 60)
        return count, (
            f"row {lowest}: not sealed for more than {minutes} minutes ({count} rows waiting: "
            "is the worker running?)"
        )
    return count, ""


# --- Anchors sent to each municipality's DPO -------------------------------------------------


def send_anchors(now: datetime) -> int:
    """Each week, the latest seal's hash and signature to every municipality's DPO, journaled
    for the municipality (so its journal extract and evidence packs hold what it was sent)."""
    from rgpd_app.foundation.journal import record
    from rgpd_app.notifications.services import enqueue_email
    from rgpd_app.organisations.models import CONTROLLER, Organisation

    days = current_app.config["JOURNAL_ANCHOR_DAYS"]
    if not days:
        return 0
    last_sent = db.session.scalar(
        select(func.max(JournalEntry.at)).where(JournalEntry.action == "journal.anchors_sent")
    )
    if last_sent is not None and now - last_sent < timedelta(days=days):
        return 0
    link = db.session.scalars(select(JournalSeal).order_by(JournalSeal.id.desc()).limit(1)).first()
    if link is None or not link.signature:
        return 0
    anchor = anchor_of(link)
    sent = 0
    towns = select(Organisation).where(
        Organisation.kind == CONTROLLER, Organisation.dpo_email != ""
    )
    for town in db.session.scalars(towns.order_by(Organisation.id)):
        lines = [
            f"Sceau n° {link.id} du {link.sealed_at:%d/%m/%Y %H:%M} (UTC)",
            f"Empreinte : {link.hash}",
            f"Clé : {link.key_id}",
            f"Signature Ed25519 : {link.signature}",
            "Conservez ce message : si le journal était raccourci ou réécrit, cette empreinte ne "
            "s'y retrouverait plus (flask rgpd journal verify --anchor "
            f"{link.id}:{link.hash}).",
        ]
        try:
            enqueue_email(
                to=town.dpo_email,
                template="journal_anchor",
                context={"title": "Ancre hebdomadaire du journal des opérations", "lines": lines},
                organisation_id=town.id,
                now=now,
            )
        except ValidationFailed:  # an unusable address: the others still get theirs
            continue
        record("journal.anchor_sent", now=now, organisation_id=town.id, details=anchor)
        sent += 1
    if sent:
        record("journal.anchors_sent", now=now, details={"seal_id": link.id, "recipients": sent})
        db.session.commit()
    return sent
