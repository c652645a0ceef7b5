"""The pack's register: the processings as the period's end left them (history snapshots), in
CSV, ODS and PDF, and the changes of the period — streamed to files of the pack's spool folder,
a batch of rows at a time, so that 10,000 processings never sit whole in memory."""

import json
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.organisations.models import Organisation

BATCH = 500  # snapshots read per round trip


def write_json_array(path: Path, items: Iterable) -> int:
    """Write `items` to `path` one at a time, as the same bytes as `contents.as_json` of their
    list (sorted keys, two-space indent, final newline); return how many were written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            text = json.dumps(item, sort_keys=True, indent=2, ensure_ascii=False, default=str)
            out.write(("[\n" if not count else ",\n") + textwrap.indent(text, "  "))
            count += 1
        out.write("\n]\n" if count else "[]\n")
    return count


def snapshots(scope) -> Iterator[dict]:
    """Each processing of the controller as its latest version before the period's end left it
    (archived ones left out, as the registers do), by id, read in batches."""
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
        .execution_options(yield_per=BATCH)
    )
    for text in db.session.scalars(stmt):
        snapshot = json.loads(text)
        if snapshot.get("status") != ARCHIVED:
            yield snapshot


def _history(scope) -> Iterator[dict]:
    from rgpd_app.register.models import ProcessingVersion as V

    stmt = (
        select(V.activity_id, V.version, V.action, V.changed_at, V.changed_by_id, V.snapshot)
        .where(
            V.controller_id == scope.controller.id,
            V.changed_at >= scope.begins_at,
            V.changed_at < scope.ends_at,
        )
        .order_by(V.changed_at, V.id)
        .execution_options(yield_per=BATCH)
    )
    for row in db.session.execute(stmt):
        yield {
            "activity_id": row.activity_id,
            "version": row.version,
            "action": row.action,
            "changed_at": row.changed_at.isoformat(),
            "changed_by_id": row.changed_by_id,
            "snapshot": json.loads(row.snapshot),
        }


def register_files(scope, folder: Path) -> Iterator[tuple[str, Path | bytes]]:
    """The register's files of the pack, as (path in the pack, file of `folder` or bytes)."""
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

    at_end = folder / "registre-au-terme.json"
    count = write_json_array(at_end, snapshots(scope))
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
    with_pdf = count <= pdf_limit
    if not with_pdf:
        yield (
            "registre/sans-pdf.txt",
            (
                f"{count} traitements : au-delà de {pdf_limit}, le registre n'est pas rendu en "
                "PDF dans le paquet ; les fichiers CSV et ODS en donnent le contenu complet.\n"
            ).encode(),
        )
    for register, stem in ((PROCESSOR_REGISTER, "art30-2"), (CONTROLLER_REGISTER, "art30-1")):
        formats = ("csv", "ods", "pdf") if register == PROCESSOR_REGISTER else ("csv", "pdf")
        formats = formats if with_pdf else tuple(f for f in formats if f != "pdf")
        for fmt in formats:
            path = folder / f"{stem}.{fmt}"
            rows = (row_from_snapshot(s, scope.controller) | {"entry": s} for s in snapshots(scope))
            with path.open("wb") as out:
                write_file(
                    fmt,
                    out,
                    rows=rows,
                    columns=COLUMNS,
                    title=titles[register],
                    total=count,
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
            yield f"registre/{stem}.{fmt}", path
    yield "registre/au-terme-de-la-periode.json", at_end
    history = folder / "registre-historique.json"
    write_json_array(history, _history(scope))
    yield "registre/historique.json", history
