"""Register exports: the Art. 30(2) processor register (grouped by controller), a controller's
Art. 30(1) register and any filtered list, in CSV, XLSX, ODS, JSON and PDF.

Every tabular format carries the flat row of `entries.activity_to_row` (ROW_COLUMNS), so an
export is also an import file (files/services.py). Rows are read in batches of `BATCH` with
their child lists loaded per batch (one SELECT … IN per list, flat_rows.py), so memory stays flat
and queries stay few.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from rgpd_app.errors import ValidationFailed
from rgpd_app.exports import Column, export_response
from rgpd_app.exports.building import STREAMED, write_file
from rgpd_app.exports.jobs import services as jobs
from rgpd_app.exports.response import check_format
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require, scope
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, PROCESSOR, Organisation
from rgpd_app.paging import count_rows
from rgpd_app.register.access import READERS
from rgpd_app.register.choices import ARCHIVED, SAFEGUARDS
from rgpd_app.register.entries import ROW_COLUMNS, activity_to_row, snapshot
from rgpd_app.register.flat_rows import flat_rows
from rgpd_app.register.listing import ORDER, Filters, filtered
from rgpd_app.register.models import ProcessingActivity
from rgpd_app.register.rules import retention_text

PA = ProcessingActivity
BATCH = 500

LABELS = {
    "id": "N°",
    "controller_siren": "SIREN de la collectivité",
    "controller_name": "Collectivité (responsable de traitement)",
    "name": "Activité de traitement",
    "status": "Statut",
    "version": "Version",
    "description": "Description",
    "purposes": "Finalités",
    "legal_bases": "Bases légales",
    "data_subjects": "Catégories de personnes concernées",
    "data_categories": "Catégories de données",
    "data_category_purposes": "Finalité justifiant chaque catégorie",
    "data_category_retentions": "Durée de conservation de chaque catégorie",
    "data_category_sensitive": "Données sensibles (art. 9 / art. 10)",
    "recipients": "Destinataires",
    "estimated_persons": "Nombre estimé de personnes concernées",
    "transfer_countries": "Transferts hors UE : pays",
    "transfer_recipients": "Transferts hors UE : destinataires",
    "transfer_safeguards": "Transferts hors UE : garanties",
    "transfer_safeguard_documentation": "Transferts hors UE : documentation de la garantie",
    "transfer_consents": (
        "Transferts hors UE : consentement écrit préalable (qui ; date ; document)"
    ),
    "operations": "Catégories de traitements du sous-traitant",
    "operations_detail": "Précisions sur les traitements du sous-traitant",
    "subprocessors": "Sous-traitants ultérieurs",
    "security_measures": "Mesures de sécurité",
    "security_notes": "Mesures de sécurité (texte libre)",
    "updated_at": "Mis à jour le",
}
COLUMNS = [Column(key, LABELS[key]) for key in ROW_COLUMNS]

PROCESSOR_REGISTER = "processor"  # art. 30(2): every visible controller, one block each
CONTROLLER_REGISTER = "controller"  # art. 30(1): one controller
FILTERED_LIST = "list"  # what the list page shows with the same filters
REGISTERS = (FILTERED_LIST, PROCESSOR_REGISTER, CONTROLLER_REGISTER)
PDF_TEMPLATES = {
    PROCESSOR_REGISTER: "register/pdf_processor.html",
    CONTROLLER_REGISTER: "register/pdf_controller.html",
    FILTERED_LIST: "register/pdf_processor.html",
}


@dataclass(frozen=True)
class Export:
    register: str
    title: str
    filename: str
    statement: object
    controller: Organisation | None


def export_statement(actor: Actor, filters: Filters, *, registers_only: bool = False):
    """Visible entries by municipality then name (a select of ProcessingActivity)."""
    stmt = select(PA).join(Organisation, Organisation.id == PA.controller_id)
    stmt = filtered(scope(stmt, PA.controller_id, actor), filters)
    if registers_only:  # the registers list the processings in force, not the archived ones
        stmt = stmt.where(PA.status != ARCHIVED)
    return stmt.order_by(*ORDER)


def prepare(register: str, filters: Filters, *, actor: Actor) -> Export:
    """What to export: the rows' statement, the title and the file name (404 for a foreign
    controller, 403 for a role that does not read the register)."""
    require(actor, *READERS)
    if register == PROCESSOR_REGISTER:
        stmt = export_statement(actor, Filters(), registers_only=True)
        title = "Registre des catégories d'activités de traitement (art. 30.2 RGPD)"
        return Export(register, title, "registre-art30-2", stmt, None)
    if register == CONTROLLER_REGISTER:
        controller_id = filters.controller_id
        if controller_id is None and not actor.is_processor_staff:
            controller_id = actor.organisation_id
        if controller_id is None:
            raise ValidationFailed({"controller_id": [N_("Choisissez une collectivité.")]})
        controller = get_visible(Organisation, controller_id, actor, column=Organisation.id)
        if controller.kind != CONTROLLER:
            raise ValidationFailed({"controller_id": [N_("Choisissez une collectivité.")]})
        stmt = export_statement(actor, Filters(controller_id=controller.id), registers_only=True)
        title = f"Registre des activités de traitement (art. 30.1 RGPD) — {controller.name}"
        return Export(register, title, f"registre-art30-1-{controller.siren}", stmt, controller)
    if register != FILTERED_LIST:
        raise ValidationFailed(
            {"register": [N_("Registre inconnu (%(registers)s).", registers=", ".join(REGISTERS))]}
        )
    stmt = export_statement(actor, filters)
    return Export(register, "Registre des traitements — liste filtrée", "traitements", stmt, None)


def rows(stmt, *, detailed: bool = False) -> Iterator[dict]:
    """The flat rows, in batches; a detailed row (PDF, at most 500 of them) also carries the
    entry's snapshot for the templates, so it is read through the ORM with its children."""
    if not detailed:
        yield from flat_rows(stmt, batch=BATCH)
        return
    stmt = stmt.options(
        contains_eager(PA.controller),
        selectinload(PA.purposes),
        selectinload(PA.data_categories),
        selectinload(PA.transfers),
        selectinload(PA.measures),
        selectinload(PA.subprocessors),
    )
    result = db.session.scalars(stmt.execution_options(yield_per=BATCH))
    try:
        for activity in result:
            yield activity_to_row(activity) | {"entry": snapshot(activity)}
    finally:  # also when the reader stops early (a PDF past its cap): close the cursor
        result.close()


def journal_export(
    export: Export,
    filters: Filters,
    *,
    fmt: str,
    count: int,
    actor: Actor,
    now: datetime,
    commit: bool = True,
) -> None:
    record(
        "register.exported",
        now=now,
        actor=actor,
        organisation_id=export.controller.id if export.controller else None,
        object_type="register",
        details={
            "format": fmt,
            "rows": count,
            "register": export.register,
            "filters": filters.as_dict() if export.register == FILTERED_LIST else {},
        },
    )
    if commit:
        db.session.commit()


def _processor() -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kind == PROCESSOR).limit(1))


def _pdf_context(export: Export, filters: Filters, *, is_pdf: bool) -> dict:
    return {
        "processor": _processor() if is_pdf else None,
        "controller": export.controller,
        "register": export.register,
        "filters": filters.as_dict() if export.register == FILTERED_LIST else {},
        "labels": {"safeguards": SAFEGUARDS},
        "retention_text": retention_text,
    }


class QueueNeeded(Exception):
    """The export is too long for a request and queuing it was not asked for (a plain link must
    not create a job: the page asks for a POST first)."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows


def export_register(
    fmt: str, register: str, filters: Filters, *, actor: Actor, now: datetime, may_queue=True
):
    """The answer of an export, journaled with its row count: CSV and JSON streamed, a short
    XLSX/ODS/PDF built at once, a long one queued for the worker (returns its ExportJob) —
    or QueueNeeded when `may_queue` is false."""
    fmt = check_format(fmt)
    export = prepare(register or FILTERED_LIST, filters, actor=actor)
    total = count_rows(export.statement) if fmt not in STREAMED else 0
    if fmt not in STREAMED and jobs.needs_worker(fmt, total):
        if not may_queue:
            raise QueueNeeded(total)
        params = {"register": export.register, "filters": filters.as_dict()}
        return jobs.request_export("register", fmt, params, actor=actor, now=now)
    is_pdf = fmt == "pdf"
    return export_response(
        fmt,
        rows=rows(export.statement, detailed=is_pdf),
        columns=COLUMNS,
        filename=export.filename,
        title=export.title,
        pdf_template=PDF_TEMPLATES[export.register],
        pdf_context=_pdf_context(export, filters, is_pdf=is_pdf),
        on_done=lambda count: journal_export(
            export, filters, fmt=fmt, count=count, actor=actor, now=now
        ),
    )


def _prepared(params: dict, actor: Actor) -> tuple[Export, Filters]:
    """A queued export's parameters (as export_register stored them), checked again."""
    filters = Filters(**params.get("filters", {}))
    return prepare(params.get("register", FILTERED_LIST), filters, actor=actor), filters


def _plan(fmt: str, params: dict, actor: Actor) -> jobs.Plan:
    export, _filters = _prepared(params, actor)
    return jobs.Plan(
        title=export.title,
        filename=export.filename,
        total=count_rows(export.statement),
        organisation_id=export.controller.id if export.controller else None,
    )


def _write(fmt: str, params: dict, actor: Actor, out, progress, now: datetime) -> int:
    """The export's file, for the worker or the CLI; journaled in the caller's transaction."""
    export, filters = _prepared(params, actor)
    is_pdf = fmt == "pdf"
    count = write_file(
        fmt,
        out,
        rows=rows(export.statement, detailed=is_pdf),
        columns=COLUMNS,
        title=export.title,
        total=count_rows(export.statement) if is_pdf else 0,
        pdf_template=PDF_TEMPLATES[export.register],
        pdf_context=_pdf_context(export, filters, is_pdf=is_pdf),
        progress=progress,
    )
    journal_export(export, filters, fmt=fmt, count=count, actor=actor, now=now, commit=False)
    return count


EXPORT = jobs.export_kind(roles=READERS, plan=_plan, write=_write)
