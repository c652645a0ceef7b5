"""Long exports (DESIGN §5): asked in a request, built by the worker, downloaded when ready.

A domain defines a *kind* of export with `export_kind`: the roles that may ask for it, a
`plan` (checks the parameters and the actor's rights, counts the rows, names the file — raising
the usual 400/403/404 errors) and a `write` (writes the file, reporting progress, and journals
the export itself). The same kind serves the web page, the API, the CLI and the worker. The
kinds are listed in rgpd_app.export_kinds, which create_app hands to `use_kinds`.

The worker claims a queued job by a conditional UPDATE (queued → running), so two workers can
never build the same job; the actor's rights are computed again when the job runs (a user who
lost them meanwhile gets a failed job, not a file). Progress goes to the database on its own
short transactions, so the page can show it while the export's query is still open. The file is
written under a temporary name and renamed only once complete: a failure leaves no file, and
the job says why. Files are deleted after EXPORT_FILE_HOURS.
"""

import json
import logging
import os
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from rgpd_app.clocks.services import Task
from rgpd_app.errors import DomainError, NotFound
from rgpd_app.exports.models import DONE, EXPIRED, FAILED, QUEUED, RUNNING, ExportJob
from rgpd_app.exports.response import FORMATS, MIMETYPES, check_format
from rgpd_app.extensions import db
from rgpd_app.files import file_digest, folder, new_private_file, private_folder
from rgpd_app.foundation.actor import Actor, actor_for
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import Page, paginate

log = logging.getLogger("rgpd_app.exports")

STALE_AFTER = timedelta(minutes=10)  # a running job without news for this long was interrupted
MAX_ATTEMPTS = 3
PROGRESS_SECONDS = 1.0  # at most one progress write a second
FOLDER = "exports"
INTERNAL_ERROR = (
    "Erreur interne pendant l'export : relancez-le ; si elle revient, prévenez l'administrateur."
)


@dataclass(frozen=True)
class Plan:
    """What an export will be: its title, file name (no extension), rows, municipality."""

    title: str
    filename: str
    total: int
    organisation_id: int | None = None


@dataclass(frozen=True)
class Kind:
    roles: tuple[str, ...]
    plan: Callable[[str, dict, Actor], Plan]  # (format, params, actor)
    # (format, params, actor, out, progress, now) -> rows written; journals the export
    write: Callable[[str, dict, Actor, BinaryIO, Callable[[int], None], datetime], int]
    formats: tuple[str, ...] = FORMATS


# The kinds the queue knows: exactly rgpd_app.export_kinds.KINDS, once create_app has run.
KINDS: dict[str, Kind] = {}


def export_kind(*, roles: tuple[str, ...], plan, write, formats=FORMATS) -> Kind:
    """A kind of long export, to be listed in rgpd_app.export_kinds."""
    return Kind(tuple(roles), plan, write, tuple(formats))


def use_kinds(kinds: dict[str, Kind]) -> None:
    """Know exactly `kinds` (create_app hands in rgpd_app.export_kinds.KINDS)."""
    KINDS.clear()
    KINDS.update(kinds)


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise NotFound()
    return KINDS[name]


def needs_worker(fmt: str, total: int) -> bool:
    """True when an export of `total` rows in `fmt` is too long to build inside a request."""
    limits = current_app.config["EXPORT_INLINE_MAX_ROWS"]
    return fmt in limits and total > limits[fmt]


def request_export(
    kind: str, fmt: str, params: dict, *, actor: Actor, now: datetime, secret: str | None = None
) -> ExportJob:
    """Queue an export for the worker (after the same checks as an immediate one). `secret`
    (an archive's password) is kept encrypted for the worker, handed to the kind's `write` as
    `params["secret"]`, and erased once the job is over: it is never in the journal."""
    spec = _kind(kind)
    fmt = check_format(fmt, spec.formats)
    require(actor, *spec.roles)
    plan = spec.plan(fmt, params, actor)
    export = ExportJob(
        public_id=uuid.uuid4().hex,
        kind=kind,
        fmt=fmt,
        params=json.dumps(params, sort_keys=True, ensure_ascii=False),
        title=plan.title[:300],
        filename=f"{plan.filename}.{fmt}"[:200],
        user_id=actor.id,
        organisation_id=plan.organisation_id,
        state=QUEUED,
        rows_total=plan.total,
        requested_at=now,
        secret=secret,
    )
    db.session.add(export)
    db.session.flush()
    export.journal("export.requested", now=now, actor=actor)
    db.session.commit()
    return export


_PUBLIC_ID = re.compile(r"[0-9a-f]{32}")


def get_job(public_id: str, *, actor: Actor) -> ExportJob:
    """The export, for the user who asked for it only (404 for anybody else)."""
    if not _PUBLIC_ID.fullmatch(str(public_id)):  # never a uuid4 hex: nothing to look up
        raise NotFound()
    export = db.session.scalar(select(ExportJob).where(ExportJob.public_id == str(public_id)))
    if export is None or export.user_id != actor.id:
        raise NotFound()
    return export


def my_jobs(*, actor: Actor, limit: int = 50) -> list[ExportJob]:
    stmt = (
        select(ExportJob)
        .where(ExportJob.user_id == actor.id)
        .order_by(ExportJob.requested_at.desc(), ExportJob.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def page_of_jobs(*, actor: Actor, page: int, per_page: int) -> Page:
    """The user's exports, newest first, one page of them."""
    stmt = select(ExportJob).where(ExportJob.user_id == actor.id)
    order = [ExportJob.requested_at.desc(), ExportJob.id.desc()]
    return paginate(stmt, page=page, per_page=per_page, order_by=order)


def open_download(public_id: str, *, actor: Actor, now: datetime) -> tuple[Path, ExportJob]:
    """The finished file of the user's export, journaled; 404 when not (or no longer) there."""
    export = get_job(public_id, actor=actor)
    require(actor, *_kind(export.kind).roles)  # rights withdrawn since: no download
    path = file_of(export)
    if export.state != DONE or path is None or not path.exists():
        raise NotFound(N_("Ce fichier n'est pas (ou plus) disponible."))
    export.downloaded_at = now
    export.journal("export.downloaded", now=now, actor=actor)
    db.session.commit()
    return path, export


def mimetype(export: ExportJob) -> str:
    return MIMETYPES[export.fmt]


# -- the worker ----------------------------------------------------------------------------------


def claim_next(now: datetime) -> ExportJob | None:
    """Take the oldest queued export (queued → running), or None when there is none."""
    while True:
        candidate = db.session.scalar(
            select(ExportJob.id)
            .where(ExportJob.state == QUEUED)
            .order_by(ExportJob.requested_at, ExportJob.id)
            .limit(1)
        )
        if candidate is None:
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == candidate, ExportJob.state == QUEUED)
            .values(
                state=RUNNING,
                started_at=now,
                heartbeat_at=now,
                attempts=ExportJob.attempts + 1,
                rows_done=0,
            )
        ).rowcount
        db.session.commit()
        if claimed:  # else another worker took it first: look again
            return db.session.get(ExportJob, candidate)


def run_pending(now_func: Callable[[], datetime], *, limit: int | None = None) -> int:
    """Build queued exports one after the other until none is left; return how many ran."""
    ran = 0
    while limit is None or ran < limit:
        export = claim_next(now_func())
        if export is None:
            break
        build(export, now_func)
        ran += 1
    return ran


def build(export: ExportJob, now_func: Callable[[], datetime]) -> None:
    """Write the export's file; on any failure the job says why and no file is left."""
    job_id, storage_name = export.id, secrets.token_hex(16)
    try:
        spec = _kind(export.kind)
        actor = actor_for(export.user, now_func())
        if not export.user.is_active or not actor.has(*spec.roles):
            raise DomainError(N_("Vos droits ne permettent plus cet export."), code="forbidden")
        params = json.loads(export.params)
        if export.secret:
            params["secret"] = export.secret
        count, digest, size = _write(
            spec, export.fmt, params, actor, folder(FOLDER, storage_name),
            progress=_Progress(job_id, now_func), now=now_func(),
        )  # fmt: skip
    except Exception as err:
        db.session.rollback()
        message = err.message if isinstance(err, DomainError) else INTERNAL_ERROR
        if not isinstance(err, DomainError):
            log.exception("export %s failed", job_id)
        export = db.session.get(ExportJob, job_id)
        export.state, export.error, export.finished_at = FAILED, message[:1000], now_func()
        export.secret = None
        export.journal("export.failed", now=now_func(), error=message[:300])
        db.session.commit()
        return
    export = db.session.get(ExportJob, job_id)
    finished = now_func()
    export.state, export.storage_name, export.sha256, export.size = DONE, storage_name, digest, size
    export.secret = None
    export.rows_done, export.finished_at, export.heartbeat_at = count, finished, finished
    export.rows_total = max(export.rows_total, count)
    export.expires_at = finished + timedelta(hours=current_app.config["EXPORT_FILE_HOURS"])
    export.journal("export.built", now=finished, sha256=digest, size=size)
    db.session.commit()


def export_to_file(
    kind: str,
    fmt: str,
    params: dict,
    destination: Path,
    *,
    actor: Actor,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, str, int]:
    """Build an export straight into `destination` (the CLI): rows, SHA-256 and size.

    `progress` gets (rows done, rows expected). The export is journaled as from the web.
    """
    spec = _kind(kind)
    fmt = check_format(fmt, spec.formats)
    require(actor, *spec.roles)
    total = spec.plan(fmt, params, actor).total
    report = (lambda done: progress(done, total)) if progress else (lambda done: None)
    try:
        result = _write(spec, fmt, params, actor, Path(destination), progress=report, now=now)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def _write(spec: Kind, fmt: str, params: dict, actor: Actor, destination: Path, *, progress,
           now: datetime) -> tuple[int, str, int]:  # fmt: skip
    """The kind's file written beside `destination` and renamed only once complete."""
    private_folder(destination.parent)
    partial = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.partial")
    try:  # in the requester's language, as their pages are; the file is 0600 from its creation
        with new_private_file(partial) as out, force_locale(actor.user.language or "fr"):
            count = spec.write(fmt, params, actor, out, progress, now)
        digest, size = file_digest(partial)
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return count, digest, size


class _Progress:
    """Writes the rows done so far on its own short transaction, at most once a second."""

    def __init__(self, job_id: int, now_func: Callable[[], datetime]) -> None:
        self.job_id, self.now_func, self.last = job_id, now_func, 0.0

    def __call__(self, done: int) -> None:
        if time.monotonic() - self.last < PROGRESS_SECONDS:
            return
        self.last = time.monotonic()
        with db.engine.begin() as connection:
            connection.execute(
                update(ExportJob)
                .where(ExportJob.id == self.job_id)
                .values(rows_done=done, heartbeat_at=self.now_func())
            )


def requeue_stale(now: datetime) -> int:
    """Exports left running by a worker that stopped: queued again, or failed after 3 tries."""
    stale = db.session.scalars(
        select(ExportJob).where(
            ExportJob.state == RUNNING, ExportJob.heartbeat_at < now - STALE_AFTER
        )
    ).all()
    for export in stale:
        if export.attempts >= MAX_ATTEMPTS:
            export.state, export.finished_at, export.secret = FAILED, now, None
            export.error = "Export interrompu à plusieurs reprises ; relancez-le ou filtrez-le."
        else:
            export.state = QUEUED
        export.journal("export.interrupted", now=now, attempts=export.attempts)
    db.session.commit()
    return len(stale)


def purge_expired(now: datetime) -> int:
    """Delete the files of exports past their expiry (the job row stays, as evidence)."""
    expired = db.session.scalars(
        select(ExportJob).where(ExportJob.state == DONE, ExportJob.expires_at <= now)
    ).all()
    for export in expired:
        path = file_of(export)
        if path is not None:
            path.unlink(missing_ok=True)
        export.state, export.storage_name = EXPIRED, None
        export.journal("export.expired", now=now)
    db.session.commit()
    return len(expired)


def file_of(export: ExportJob) -> Path | None:
    return folder(FOLDER, export.storage_name) if export.storage_name else None


def ready_exports(actor: Actor, now: datetime) -> list[Task]:
    """The actor's own exports built by the worker and not downloaded yet (file still kept)."""
    stmt = (
        select(ExportJob, Organisation.name)
        .outerjoin(Organisation, Organisation.id == ExportJob.organisation_id)
        .where(
            ExportJob.user_id == actor.id,
            ExportJob.state == DONE,
            ExportJob.downloaded_at.is_(None),
            (ExportJob.expires_at.is_(None)) | (ExportJob.expires_at > now),
        )
    )
    return [
        Task(
            uid=f"export-{job.public_id}",
            domain="files",
            title=job.title,
            organisation_name=name or "—",
            since=job.finished_at or job.requested_at,
            url=url_for("exports.show", public_id=job.public_id),
            organisation_id=job.organisation_id,
            action=gettext("Export prêt à télécharger"),
        )
        for job, name in db.session.execute(stmt.order_by(ExportJob.id))
    ]
