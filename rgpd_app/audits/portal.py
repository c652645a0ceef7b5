"""The auditor's portal (annex art. 4.6): how long a named auditor may read, the evidence packs
the municipality shares with them, and what they read — journaled, and shown to the DPO.

A named auditor's account reads, for the audited municipality only, from the audit's
acceptance until the report's receipt plus the contract's `auditor_access_days` (before the
report, the announced end stands in for it). Within that window they read what an auditor
role reads (register, instructions, notices, audits, breaches, requests, their own exports)
and download the packs shared with their audit. Every page or API answer they get is journaled
(`auditor.read`), and the audit's page lists those reads for the municipality's DPO.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from flask import current_app, g, request
from sqlalchemy import func, select

import audit as rules_lib
from deadlines.periods import end_of_day_utc
from rgpd_app import clock
from rgpd_app.accounts.models import RoleGrant
from rgpd_app.audits.access import get_audit, paris_day, terms_for
from rgpd_app.audits.models import AuditRequest, AuditShare
from rgpd_app.errors import NotFound, ValidationFailed
from rgpd_app.exports.jobs import services as export_jobs
from rgpd_app.exports.models import ExportJob
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import JournalEntry, record
from rgpd_app.messages import N_

SHARERS = (roles.CONTROLLER_DPO,)
# Who may see what the auditors read: the audited municipality's DPO and the processor's DPO.
READ_WATCHERS = (roles.CONTROLLER_DPO, roles.PROCESSOR_DPO)
EVIDENCE = "evidence"
READS_SHOWN = 200


def access_window(item: AuditRequest) -> tuple[date, date] | None:
    """First and last day of the named auditors' access; None before the audit is accepted."""
    if item.accepted_at is None:
        return None
    report_on = paris_day(item.report_received_at) if item.report_received_at else None
    return rules_lib.auditor_access(
        paris_day(item.accepted_at), item.end_on, report_on, terms_for(item.organisation)
    )


def auditor_user_ids(item: AuditRequest) -> list[int]:
    return [a.user_id for a in item.auditors if a.user_id is not None]


def apply_window(item: AuditRequest, *, now: datetime) -> tuple[date, date] | None:
    """Set the named auditors' grants (and the shared packs' expiry) to the access window.

    Called when the accounts are opened at acceptance and when the report is received (the
    window then moves to the report's receipt + N days). No commit: the caller's step writes
    the grants with its own change.
    """
    window = access_window(item)
    users = auditor_user_ids(item)
    if window is None or not users:
        return window
    grants = db.session.scalars(
        select(RoleGrant).where(
            RoleGrant.user_id.in_(users),
            RoleGrant.role == roles.AUDITOR,
            RoleGrant.controller_id == item.organisation_id,
            RoleGrant.revoked_at.is_(None),
        )
    )
    changed = 0
    for grant in grants:
        if (grant.valid_from_on, grant.valid_until_on) != window:
            grant.valid_from_on, grant.valid_until_on = window
            changed += 1
    for share in item.shares:
        _keep_file(share.export, window)
    if changed:
        item.journal(
            "auditor_access",
            now=now,
            actor=None,
            **{"from": window[0].isoformat(), "until": window[1].isoformat()},
        )
    return window


def _keep_file(export: ExportJob, window: tuple[date, date]) -> None:
    ends = end_of_day_utc(window[1])
    if export.expires_at is not None and export.expires_at < ends:
        export.expires_at = ends


# -- sharing packs -------------------------------------------------------------------------------


def shareable_packs(item: AuditRequest, *, actor: Actor, now: datetime) -> list[ExportJob]:
    """The DPO's own finished evidence packs of this municipality not shared with it yet."""
    if not actor.has(*SHARERS):
        return []
    shared = {s.export_job_id for s in item.shares if s.withdrawn_at is None}
    stmt = (
        select(ExportJob)
        .where(
            ExportJob.user_id == actor.id,
            ExportJob.kind == EVIDENCE,
            ExportJob.state == export_jobs.DONE,
            ExportJob.organisation_id == item.organisation_id,
            (ExportJob.expires_at.is_(None)) | (ExportJob.expires_at > now),
        )
        .order_by(ExportJob.finished_at.desc())
        .limit(20)
    )
    return [job for job in db.session.scalars(stmt) if job.id not in shared]


def share_pack(audit_id: int, public_id: str, *, actor: Actor, now: datetime) -> AuditShare:
    """Share one of the DPO's finished packs of this municipality with the audit's auditors."""
    item = get_audit(audit_id, actor=actor, roles=SHARERS)
    window = access_window(item)
    if window is None or item.cancelled_at is not None or item.refused_at is not None:
        raise ValidationFailed(
            {"pack": [N_("Un paquet ne se partage qu'avec les auditeurs d'un audit accepté.")]}
        )
    export = db.session.scalar(select(ExportJob).where(ExportJob.public_id == str(public_id)))
    if (
        export is None
        or export.user_id != actor.id
        or export.kind != EVIDENCE
        or export.organisation_id != item.organisation_id
    ):
        raise ValidationFailed(
            {"pack": [N_("Choisissez un de vos paquets de cette collectivité.")]}
        )
    if export.state != export_jobs.DONE or export.storage_name is None:
        raise ValidationFailed({"pack": [N_("Ce paquet n'est pas (ou plus) disponible.")]})
    share = next((s for s in item.shares if s.export_job_id == export.id), None)
    if share is None:
        share = AuditShare(audit=item, export=export, shared_by_id=actor.id, shared_at=now)
        db.session.add(share)
    share.withdrawn_at, share.shared_at, share.shared_by_id = None, now, actor.id
    _keep_file(export, window)
    item.journal(
        "pack_shared",
        now=now,
        actor=actor,
        export=export.public_id,
        sha256=export.sha256,
        title=export.title,
    )
    db.session.commit()
    return share


def withdraw_share(audit_id: int, share_id: int, *, actor: Actor, now: datetime) -> AuditShare:
    item = get_audit(audit_id, actor=actor, roles=SHARERS)
    share = _share_of(item, share_id)
    share.withdrawn_at = now
    item.journal("pack_withdrawn", now=now, actor=actor, export=share.export.public_id)
    db.session.commit()
    return share


def _share_of(item: AuditRequest, share_id: int) -> AuditShare:
    share = next((s for s in item.shares if s.id == share_id and s.withdrawn_at is None), None)
    if share is None:
        raise NotFound()
    return share


def live_shares(item: AuditRequest, *, actor: Actor) -> list[AuditShare]:
    """The packs shared with this audit, for its named auditors and the municipality's DPO."""
    if not (actor.has(*SHARERS) or _is_named(item, actor)):
        return []
    return [s for s in item.shares if s.withdrawn_at is None]


def _is_named(item: AuditRequest, actor: Actor) -> bool:
    return actor.has(roles.AUDITOR) and actor.id in auditor_user_ids(item)


def open_shared_pack(
    audit_id: int, share_id: int, *, actor: Actor, now: datetime
) -> tuple[Path, ExportJob]:
    """A shared pack's file for a named auditor of this audit (or the DPO who shares it)."""
    item = get_audit(audit_id, actor=actor)
    if not (actor.has(*SHARERS) or _is_named(item, actor)):
        raise NotFound()
    share = _share_of(item, share_id)
    export = share.export
    path = export_jobs.file_of(export)
    if export.state != export_jobs.DONE or path is None or not path.exists():
        raise NotFound(N_("Ce fichier n'est pas (ou plus) disponible."))
    item.journal(
        "pack_downloaded", now=now, actor=actor, export=export.public_id, sha256=export.sha256
    )
    db.session.commit()
    return path, export


# -- what the auditors read ----------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """One journaled read by an auditor, as the audit's page lists it."""

    at: datetime
    email: str
    action: str
    what: str  # the page's path, or the object read


def _read_of(entry: JournalEntry) -> Read:
    details = json.loads(entry.details or "{}")
    if entry.action == "auditor.read":
        query = f"?{details['query']}" if details.get("query") else ""
        what = f"{details.get('path', '')}{query}"
    else:
        what = " ".join(filter(None, (entry.object_type, entry.object_id, details.get("export"))))
    return Read(entry.at, entry.user_email, entry.action, what)


def auditor_reads(item: AuditRequest, *, actor: Actor) -> tuple[list[Read], int]:
    """The journal rows of this audit's auditors in this municipality since the acceptance:
    the newest READS_SHOWN and their total (empty for a role that may not see them)."""
    users = auditor_user_ids(item)
    if not actor.has(*READ_WATCHERS) or not users or item.accepted_at is None:
        return [], 0
    where = (
        JournalEntry.user_id.in_(users),
        JournalEntry.organisation_id == item.organisation_id,
        JournalEntry.at >= item.accepted_at,
    )
    total = db.session.scalar(select(func.count()).select_from(JournalEntry).where(*where))
    rows = db.session.scalars(
        select(JournalEntry)
        .where(*where)
        .order_by(JournalEntry.at.desc(), JournalEntry.id.desc())
        .limit(READS_SHOWN)
    )
    return [_read_of(entry) for entry in rows], total or 0


def journal_auditor_read(response):
    """After a request: journal what an auditor was shown (a page, a file or an API answer).

    A built answer is journaled before it leaves: a read that cannot be journaled is not served
    (the error replaces it). A streamed answer (a CSV export) reads the database while it is
    sent, so its row is written once the body has been sent, in its own application context:
    committing here would expire the objects the stream still reads."""
    actor = g.get("actor") or g.get("api_actor")
    if (
        actor is None
        or not actor.has(roles.AUDITOR)
        or request.method not in ("GET", "HEAD")
        or response.status_code >= 400
    ):
        return response
    audited = sorted(actor.auditor_controller_ids)
    user = SimpleNamespace(
        id=actor.user.id, email=actor.user.email, organisation_id=actor.organisation_id
    )
    who = SimpleNamespace(user=user, ip=actor.ip, user_agent=actor.user_agent)
    row = {
        "now": clock.now(),
        "actor": who,
        "organisation_id": audited[0] if len(audited) == 1 else actor.organisation_id,
        "object_type": "page",
        "object_id": (request.endpoint or "")[:60],
        "details": {
            "path": request.path[:500],
            "query": request.query_string.decode(errors="replace")[:500],
            "status": response.status_code,
        },
    }
    if response.is_streamed and not response.direct_passthrough:  # a generator, not a file
        app = current_app._get_current_object()

        def write_after_sending():
            with app.app_context():
                record("auditor.read", **row)
                db.session.commit()

        response.call_on_close(write_after_sending)
        return response
    try:
        record("auditor.read", **row)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return response
