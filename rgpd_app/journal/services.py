"""Reading, sealing, verifying and purging the journal (`foundation.journal` writes rows)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import JournalEntry, record
from rgpd_app.foundation.tenancy import require
from rgpd_app.journal import integrity, rules
from rgpd_app.journal.models import JournalSeal
from rgpd_app.paging import paginate


def as_row(entry: JournalEntry) -> dict:
    """The row as the chain hashes it (ISO instants)."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "user_id": entry.user_id,
        "user_email": entry.user_email,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "details": entry.details,
    }


def list_entries(*, actor: Actor, now: datetime, filters: dict, page: int = 1, per_page: int = 50):
    """Journal rows the actor may read, newest first; the reading itself is journaled."""
    require(actor, roles.PROCESSOR_DPO, roles.SECURITY_OFFICER, roles.CONTROLLER_DPO)
    stmt = select(JournalEntry)
    if not actor.has(roles.PROCESSOR_DPO, roles.SECURITY_OFFICER) or not actor.is_processor_staff:
        stmt = stmt.where(JournalEntry.organisation_id == actor.organisation_id)
    if filters.get("action"):
        stmt = stmt.where(JournalEntry.action.startswith(filters["action"]))
    if filters.get("user"):
        stmt = stmt.where(JournalEntry.user_email.contains(filters["user"].lower()))
    if filters.get("organisation_id"):
        stmt = stmt.where(JournalEntry.organisation_id == filters["organisation_id"])
    if filters.get("since"):
        stmt = stmt.where(JournalEntry.at >= filters["since"])
    if filters.get("until"):
        stmt = stmt.where(JournalEntry.at < filters["until"])
    result = paginate(stmt, page=page, per_page=per_page, order_by=[JournalEntry.id.desc()])
    record(
        "journal.read",
        now=now,
        actor=actor,
        details={k: v for k, v in filters.items() if v} | {"page": page},
    )
    db.session.commit()
    return result


def seal(*, now: datetime, batch: int = 5000) -> JournalSeal | None:
    """Seal every unsealed row into the next link of the chain (worker and CLI)."""
    sealed_any = None
    while True:
        entries = db.session.scalars(
            select(JournalEntry)
            .where(JournalEntry.seal_id.is_(None))
            .order_by(JournalEntry.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        if not entries:
            return sealed_any
        previous = db.session.scalars(
            select(JournalSeal).order_by(JournalSeal.id.desc()).limit(1)
        ).first()
        integrity.check_extends_anchor(previous)
        previous_hash = previous.hash if previous else rules.GENESIS
        for entry in entries:
            entry.row_hash = rules.row_hash(as_row(entry))
        digest, count = rules.rows_digest(e.row_hash for e in entries)
        first_id, last_id = entries[0].id, entries[-1].id
        link = JournalSeal(
            sealed_at=now,
            first_entry_id=first_id,
            last_entry_id=last_id,
            entry_count=count,
            rows_digest=digest,
            previous_hash=previous_hash,
            hash=rules.seal_hash(previous_hash, digest, first_id, last_id, count),
        )
        db.session.add(link)
        db.session.flush()
        integrity.sign(link, now)
        for entry in entries:
            entry.seal_id = link.id
        db.session.commit()
        integrity.write_anchor(link)
        sealed_any = link


@dataclass(frozen=True)
class Verification:
    ok: bool
    seals: int
    entries: int
    problem: str = ""
    unsealed: int = 0  # rows not sealed yet (sealed within minutes by the worker)


def verify(*, now: datetime | None = None, anchors: tuple[dict, ...] = ()) -> Verification:
    """Recompute the chain and check each seal's signature, the purges, the rows not sealed
    yet, and the anchors: the instance folder's and any `anchors` a DPO received; name the
    first seal or row that does not match."""
    from rgpd_app import clock
    from rgpd_app.foundation import signing

    now = now or clock.now()
    keys = signing.published(now)
    all_seals = list(db.session.scalars(select(JournalSeal).order_by(JournalSeal.id)))
    checked = _verify_chain(all_seals, keys)
    if not checked.ok:
        return checked
    problem = integrity.purge_problem(all_seals)
    hashes = {link.id: link.hash for link in all_seals}
    sources = [(a, "an anchor given to check") for a in anchors]
    local = integrity.read_anchor()
    if local is not None:
        sources.append((local, f"the instance's anchor ({integrity.ANCHOR_FILE})"))
    for anchor, source in sources:
        problem = problem or integrity.anchor_problem(anchor, hashes, source)
    last_sealed = all_seals[-1].last_entry_id if all_seals else 0
    count, waiting = integrity.unsealed(last_sealed, now)
    problem = problem or waiting
    return Verification(not problem, checked.seals, checked.entries, problem, count)


def _verify_chain(all_seals: list[JournalSeal], keys) -> Verification:
    previous_hash = rules.GENESIS
    seals = entries = 0
    for link in all_seals:
        seals += 1
        if link.previous_hash != previous_hash:
            return Verification(
                False, seals, entries, f"seal {link.id}: previous hash does not match"
            )
        if link.purged_at is None:
            rows = db.session.scalars(
                select(JournalEntry)
                .where(JournalEntry.seal_id == link.id)
                .order_by(JournalEntry.id)
            ).all()
            problem = _check_rows(link, rows)
            if problem:
                return Verification(False, seals, entries, problem)
            count = len(rows)
            entries += count
        expected = rules.seal_hash(
            previous_hash,
            link.rows_digest,
            link.first_entry_id,
            link.last_entry_id,
            link.entry_count,
        )
        if expected != link.hash:
            return Verification(False, seals, entries, f"seal {link.id}: hash does not match")
        problem = integrity.signature_problem(link, keys)
        if problem:
            return Verification(False, seals, entries, problem)
        previous_hash = link.hash
    return Verification(True, seals, entries)


def _check_rows(link: JournalSeal, rows: list) -> str:
    """Empty when the seal's rows are intact, else what is wrong, naming the row."""
    for row in rows:
        if rules.row_hash(as_row(row)) != row.row_hash:
            return f"seal {link.id}: row {row.id} was modified"
    if len(rows) < link.entry_count:
        present = {row.id for row in rows}
        missing = [
            i for i in range(link.first_entry_id, link.last_entry_id + 1) if i not in present
        ]
        first = missing[0] if missing else "?"
        return f"seal {link.id}: row {first} was deleted ({len(rows)} of {link.entry_count} left)"
    if len(rows) > link.entry_count:
        return f"seal {link.id}: {len(rows) - link.entry_count} row(s) added after sealing"
    digest, _count = rules.rows_digest(row.row_hash for row in rows)
    if digest != link.rows_digest:
        return f"seal {link.id}: row hashes were rewritten"
    return ""


def purge(*, now: datetime, retention_days: int) -> int:
    """Delete rows older than the retention, whole seals at a time; the purge is journaled."""
    cutoff = now - timedelta(days=retention_days)
    purged, seals_purged = 0, []
    for link in db.session.scalars(
        select(JournalSeal).where(JournalSeal.purged_at.is_(None)).order_by(JournalSeal.id)
    ).all():
        newest = db.session.scalar(
            select(func.max(JournalEntry.at)).where(JournalEntry.seal_id == link.id)
        )
        if newest is not None and newest >= cutoff:
            break
        result = db.session.execute(delete(JournalEntry).where(JournalEntry.seal_id == link.id))
        link.purged_at = now
        purged += result.rowcount or 0
        seals_purged.append(link)
    if purged:
        record(
            "journal.purge",
            now=now,
            details={
                "rows": purged,
                "cutoff": cutoff.isoformat(),
                "retention_days": retention_days,
                "seal_ids": [s.id for s in seals_purged],
            },
        )
    db.session.commit()
    return purged
