"""What a pack holds for one controller and one period: (path, bytes) pairs, in path order.

Everything is read from the domains' own models and output schemas (the API's shapes), and only
for the controller: another municipality's records never enter, and its journal rows appear as
hashes only (in the seal proof). The register is the one in force at the end of the period
(history snapshots); the other files give each record's state when the pack is built, each with
its own dates, so that the period selects records, not truncated versions of them.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from deadlines.periods import end_of_day_utc
from rgpd_app.evidence.register_files import register_files
from rgpd_app.extensions import db
from rgpd_app.organisations.models import Organisation

JOURNAL_BATCH = 2000
CHAIN_SCRIPT = Path(__file__).with_name("chain.py")


@dataclass(frozen=True)
class Scope:
    controller: Organisation
    start: date  # first day of the period (Paris)
    end: date  # last day of the period (Paris)

    @property
    def begins_at(self) -> datetime:
        return end_of_day_utc(self.start - timedelta(days=1))

    @property
    def ends_at(self) -> datetime:
        return end_of_day_utc(self.end)


def as_json(data) -> bytes:
    """Stable JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return (
        json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
    ).encode()


# --- The other domains: their records of the period, in the API's shapes ----------------------


def _in_period(column, scope: Scope):
    return column < scope.ends_at


def _instructions(scope: Scope) -> bytes:
    from rgpd_app.instructions.models import Instruction
    from rgpd_app.instructions.schemas import InstructionSchema

    stmt = select(Instruction).where(
        Instruction.organisation_id == scope.controller.id,
        _in_period(Instruction.given_at, scope),
    )
    return as_json(
        InstructionSchema(many=True).dump(db.session.scalars(stmt.order_by(Instruction.id)))
    )


def _subprocessor_notices(scope: Scope) -> bytes:
    from rgpd_app.notifications.models import OutboxMessage
    from rgpd_app.subprocessors.models import NoticeRecipient, SubprocessorNotice
    from rgpd_app.subprocessors.notices.schemas import (
        NoticeRecipientSchema,
        SubprocessorNoticeSchema,
    )

    stmt = (
        select(NoticeRecipient, OutboxMessage.accepted_at)
        .join(SubprocessorNotice, SubprocessorNotice.id == NoticeRecipient.notice_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == NoticeRecipient.outbox_message_id)
        .where(
            NoticeRecipient.organisation_id == scope.controller.id,
            SubprocessorNotice.sent_at.is_not(None),
            _in_period(SubprocessorNotice.sent_at, scope),
        )
        .order_by(NoticeRecipient.id)
    )
    items = []
    for recipient, accepted_at in db.session.execute(stmt).all():
        notice = recipient.notice
        items.append(
            {
                "notice": SubprocessorNoticeSchema().dump(notice),
                "subprocessor": {
                    "legal_name": notice.subprocessor.legal_name,
                    "country": notice.subprocessor.country,
                    "is_outside_eea": notice.subprocessor.is_outside_eea,
                },
                "for_this_controller": NoticeRecipientSchema().dump(recipient)
                | {"email_accepted_at": accepted_at.isoformat() if accepted_at else None},
            }
        )
    return as_json(items)


def _audits(scope: Scope) -> bytes:
    from rgpd_app.audits.access import clocks_for
    from rgpd_app.audits.models import AuditRequest
    from rgpd_app.audits.schemas import AuditSchema, deadline_dict

    stmt = select(AuditRequest).where(
        AuditRequest.organisation_id == scope.controller.id,
        _in_period(AuditRequest.notice_received_at, scope),
    )
    items = []
    for item in db.session.scalars(stmt.order_by(AuditRequest.id)):
        clocks = clocks_for(item)
        items.append(
            AuditSchema().dump(item)
            | {
                "clocks": {
                    "refusal": deadline_dict(clocks.refusal),
                    "observations": deadline_dict(clocks.observations),
                    "corrective": deadline_dict(clocks.corrective),
                }
            }
        )
    return as_json(items)


def _breaches(scope: Scope) -> bytes:
    from rgpd_app.breaches.models import BreachNotice
    from rgpd_app.breaches.schemas import BreachNoticeSchema, BreachSchema

    stmt = select(BreachNotice).where(
        BreachNotice.organisation_id == scope.controller.id,
        _in_period(BreachNotice.processor_target_at, scope),
    )
    items = [
        {"breach": BreachSchema().dump(n.breach), "notice": BreachNoticeSchema().dump(n)}
        for n in db.session.scalars(stmt.order_by(BreachNotice.id))
    ]
    return as_json(items)


def _requests(scope: Scope) -> bytes:
    from rgpd_app.requests.models import SubjectRequest
    from rgpd_app.requests.schemas import request_dict
    from rgpd_app.requests.timing import clocks_for

    stmt = select(SubjectRequest).where(
        SubjectRequest.organisation_id == scope.controller.id,
        _in_period(SubjectRequest.received_at, scope),
    )
    return as_json(
        [
            request_dict(r, clocks_for(r))
            for r in db.session.scalars(stmt.order_by(SubjectRequest.id))
        ]
    )


def _deposits(scope: Scope) -> bytes:
    from rgpd_app.deposits.models import Deposit
    from rgpd_app.deposits.schemas import DepositSchema

    stmt = select(Deposit).where(
        Deposit.organisation_id == scope.controller.id, _in_period(Deposit.created_at, scope)
    )
    return as_json(DepositSchema(many=True).dump(db.session.scalars(stmt.order_by(Deposit.id))))


# --- The journal extract and its seal proof ---------------------------------------------------


def _journal(
    scope: Scope, folder: Path, progress: Callable[[int, int], None]
) -> Iterator[tuple[str, Path | bytes]]:
    """The controller's rows (extrait.jsonl) and the seal proof (sceaux.json), written to
    `folder` in keyset pages: memory stays bounded whatever the journal's size."""
    from rgpd_app.foundation.journal import JournalEntry as E
    from rgpd_app.journal.models import JournalSeal as S
    from rgpd_app.journal.services import as_row

    where = (
        E.organisation_id == scope.controller.id,
        E.at >= scope.begins_at,
        E.at < scope.ends_at,
    )
    total = db.session.scalar(select(func.count()).select_from(E).where(*where)) or 0
    extract, proof_path = folder / "extrait.jsonl", folder / "sceaux.json"
    first_seal = last_seal = None
    sealed_ids: set[int] = set()
    last_id = done = 0
    with extract.open("w", encoding="utf-8") as out:
        while True:
            batch = db.session.execute(
                select(E).where(*where, E.id > last_id).order_by(E.id).limit(JOURNAL_BATCH)
            ).scalars().all()  # fmt: skip
            if not batch:
                break
            for entry in batch:
                row = as_row(entry) | {"sealed": entry.seal_id is not None}
                out.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
                if entry.seal_id is not None:
                    sealed_ids.add(entry.seal_id)
            last_id, done = batch[-1].id, done + len(batch)
            progress(done, total)
            db.session.expunge_all()
    if sealed_ids:
        first_seal, last_seal = min(sealed_ids), max(sealed_ids)
    with proof_path.open("w", encoding="utf-8") as out:
        out.write('{\n  "genesis": "' + "0" * 64 + '",\n  "seals": [')
        written = 0
        if first_seal is not None:
            after = first_seal - 1
            while True:  # seal headers in pages, each covering seal with its rows' hashes
                seals = db.session.execute(
                    select(S).where(S.id > after, S.id <= last_seal).order_by(S.id).limit(200)
                ).scalars().all()  # fmt: skip
                if not seals:
                    break
                for seal in seals:
                    record = {
                        "id": seal.id,
                        "sealed_at": seal.sealed_at.isoformat(),
                        "first_entry_id": seal.first_entry_id,
                        "last_entry_id": seal.last_entry_id,
                        "entry_count": seal.entry_count,
                        "rows_digest": seal.rows_digest,
                        "previous_hash": seal.previous_hash,
                        "hash": seal.hash,
                        # Ed25519 over "rgpd-journal-seal/1|<id>|<hash>" (journal/integrity.py)
                        "key_id": seal.key_id,
                        "signature": seal.signature,
                    }
                    if seal.id in sealed_ids:  # every row it covers, as hashes only
                        record["rows"] = [
                            list(pair)
                            for pair in db.session.execute(
                                select(E.id, E.row_hash).where(E.seal_id == seal.id).order_by(E.id)
                            )
                        ]
                    out.write(("," if written else "") + "\n    ")
                    out.write(json.dumps(record, sort_keys=True, ensure_ascii=False))
                    written += 1
                after = seals[-1].id
                db.session.expunge_all()
        out.write("\n  ]\n}\n")
    yield "journal/extrait.jsonl", extract
    yield "journal/sceaux.json", proof_path
    yield "journal/verifier_journal.py", CHAIN_SCRIPT.read_bytes()


def files(
    scope: Scope, folder: Path, progress: Callable[[int, int], None] = lambda done, total: None
) -> list[tuple[str, Path | bytes]]:
    """Every data file of the pack as (path, its bytes or the file in `folder` holding them),
    sorted by path."""
    produced = dict(register_files(scope, folder))
    produced["instructions/instructions.json"] = _instructions(scope)
    produced["sous-traitance/notifications.json"] = _subprocessor_notices(scope)
    produced["audits/audits.json"] = _audits(scope)
    produced["violations/violations.json"] = _breaches(scope)
    produced["demandes/demandes.json"] = _requests(scope)
    produced["depots/depots.json"] = _deposits(scope)
    produced.update(_journal(scope, folder, progress))
    return sorted(produced.items())
