"""What a pack holds for one controller and one period: (path, bytes) pairs, in path order.

Everything is read from the domains' own models and output schemas (the API's shapes), and only
for the controller: another municipality's records never enter, and its journal rows appear as
hashes only (in the seal proof). The register is the one in force at the end of the period
(history snapshots); the other files give each record's state when the pack is built, each with
its own dates, so that the period selects records, not truncated versions of them.
"""

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from deadlines.periods import end_of_day_utc
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


# --- The register as of the period's end -------------------------------------------------------


def register_snapshots(scope: Scope) -> list[dict]:
    """Each processing of the controller as its latest version before the period's end left it
    (archived ones left out, as the registers do)."""
    from rgpd_app.register.choices import ARCHIVED
    from rgpd_app.register.models import ProcessingVersion as V

    latest = (
        select(V.activity_id, func.max(V.version).label("version"))
        .where(V.controller_id == scope.controller.id, V.changed_at < scope.ends_at)
        .group_by(V.activity_id)
        .subquery()
    )
    stmt = (
        select(V.snapshot)
        .join(latest, (V.activity_id == latest.c.activity_id) & (V.version == latest.c.version))
        .order_by(V.activity_id)
    )
    snapshots = [json.loads(s) for s in db.session.scalars(stmt)]
    return [s for s in snapshots if s.get("status") != ARCHIVED]


def _register_files(scope: Scope) -> Iterator[tuple[str, bytes]]:
    from rgpd_app.exports.building import write_file
    from rgpd_app.exports.response import PDF_MAX_ROWS
    from rgpd_app.register.choices import SAFEGUARDS
    from rgpd_app.register.entries import row_from_snapshot
    from rgpd_app.register.exporting import (
        COLUMNS,
        CONTROLLER_REGISTER,
        PDF_TEMPLATES,
        PROCESSOR_REGISTER,
    )
    from rgpd_app.register.rules import retention_text

    snapshots = register_snapshots(scope)
    rows = [row_from_snapshot(s, scope.controller) | {"entry": s} for s in snapshots]
    processor = db.session.scalar(select(Organisation).where(Organisation.kind == "processor"))
    on = scope.end.strftime("%d/%m/%Y")
    titles = {
        PROCESSOR_REGISTER: "Registre des catégories d'activités de traitement (art. 30.2 RGPD) "
        f"tenu pour {scope.controller.name}, au {on}",
        CONTROLLER_REGISTER: "Registre des activités de traitement (art. 30.1 RGPD) — "
        f"{scope.controller.name}, au {on}",
    }
    # WeasyPrint takes about 16 CPU seconds per 1,000 entries: past the PDF export's own ceiling
    # the pack keeps the CSV and ODS and says why it has no PDF.
    pdf_limit = current_app.config.get("EXPORT_PDF_MAX_ROWS", PDF_MAX_ROWS)
    with_pdf = len(rows) <= pdf_limit
    if not with_pdf:
        yield (
            "registre/sans-pdf.txt",
            (
                f"{len(rows)} traitements : au-delà de {pdf_limit}, le registre n'est pas rendu en "
                "PDF dans le paquet ; les fichiers CSV et ODS en donnent le contenu complet.\n"
            ).encode(),
        )
    for register, stem in ((PROCESSOR_REGISTER, "art30-2"), (CONTROLLER_REGISTER, "art30-1")):
        formats = ("csv", "ods", "pdf") if register == PROCESSOR_REGISTER else ("csv", "pdf")
        formats = formats if with_pdf else tuple(f for f in formats if f != "pdf")
        for fmt in formats:
            out = io.BytesIO()
            write_file(
                fmt,
                out,
                rows=iter(rows),
                columns=COLUMNS,
                title=titles[register],
                total=len(rows),
                pdf_template=PDF_TEMPLATES[register],
                pdf_context={
                    "processor": processor,
                    "controller": scope.controller,
                    "register": register,
                    "filters": {},
                    "labels": {"safeguards": SAFEGUARDS},
                    "retention_text": retention_text,
                },
            )
            yield f"registre/{stem}.{fmt}", out.getvalue()
    yield "registre/au-terme-de-la-periode.json", as_json(snapshots)


def _register_history(scope: Scope) -> bytes:
    from rgpd_app.register.models import ProcessingVersion as V

    stmt = (
        select(V)
        .where(
            V.controller_id == scope.controller.id,
            V.changed_at >= scope.begins_at,
            V.changed_at < scope.ends_at,
        )
        .order_by(V.changed_at, V.id)
    )
    return as_json(
        [
            {
                "activity_id": v.activity_id,
                "version": v.version,
                "action": v.action,
                "changed_at": v.changed_at.isoformat(),
                "changed_by_id": v.changed_by_id,
                "snapshot": json.loads(v.snapshot),
            }
            for v in db.session.scalars(stmt)
        ]
    )


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
    from rgpd_app.subprocessors.notice_schemas import NoticeSchema, RecipientSchema

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
                "notice": NoticeSchema().dump(notice),
                "subprocessor": {
                    "legal_name": notice.subprocessor.legal_name,
                    "country": notice.subprocessor.country,
                    "is_outside_eea": notice.subprocessor.is_outside_eea,
                },
                "for_this_controller": RecipientSchema().dump(recipient)
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
    from rgpd_app.breaches.schemas import BreachSchema
    from rgpd_app.breaches.schemas import NoticeSchema as BreachNoticeSchema

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
    from rgpd_app.journal.models import JournalEntry as E
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
    produced = dict(_register_files(scope))
    produced["registre/historique.json"] = _register_history(scope)
    produced["instructions/instructions.json"] = _instructions(scope)
    produced["sous-traitance/notifications.json"] = _subprocessor_notices(scope)
    produced["audits/audits.json"] = _audits(scope)
    produced["violations/violations.json"] = _breaches(scope)
    produced["demandes/demandes.json"] = _requests(scope)
    produced["depots/depots.json"] = _deposits(scope)
    produced.update(_journal(scope, folder, progress))
    return sorted(produced.items())
