"""From the start of the audit to its closing: report, observations, contest (annex 4.6)."""

from datetime import datetime

from audit import AuditAction, AuditState
from deadlines import format_day_fr, format_instant_fr
from rgpd_app.audits import notify, portal, rules, storage
from rgpd_app.audits.access import AuditRefused, check_version, clocks_for, get_audit, paris_day
from rgpd_app.audits.decisions import apply
from rgpd_app.audits.models import OBSERVATIONS, OTHER, REPORT, AuditDocument, AuditRequest
from rgpd_app.errors import NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.files import Upload
from rgpd_app.foundation.actor import Actor
from rgpd_app.messages import N_


def start(audit_id: int, *, actor: Actor, now: datetime, version: int | None = None):
    """The audit begins, not before its announced first day (Europe/Paris)."""
    item = get_audit(audit_id, actor=actor, roles=rules.PLAN_KEEPERS)
    check_version(item, version)
    if item.state == AuditState.ACCEPTED and paris_day(now) < item.start_on:
        raise AuditRefused(
            N_(
                "L'audit ne peut pas commencer avant la date annoncée : le %(day)s.",
                day=format_day_fr(item.start_on),
            ),
            code="too_early",
            fields={"start_on": [N_("Début annoncé : %(day)s.", day=format_day_fr(item.start_on))]},
        )
    apply(item, AuditAction.START, now=now)
    item.started_at = now
    item.journal("started", now=now, actor=actor)
    notify.tell(
        item,
        notify.BOTH,
        title="Audit commencé",
        now=now,
        event="started",
        lines=[f"L'audit a commencé le {format_instant_fr(now)}."],
    )
    db.session.commit()
    return item


def upload_report(
    audit_id: int,
    upload: Upload | None,
    *,
    actor: Actor,
    now: datetime,
    version: int | None = None,
) -> AuditRequest:
    """The report reaches the processor now: the observations and corrective clocks start."""
    item = get_audit(audit_id, actor=actor, roles=rules.REPORT_SENDERS)
    check_version(item, version)
    upload = storage.require_upload(upload, "report")
    apply(item, AuditAction.RECEIVE_REPORT, now=now)
    item.report_received_at = now
    window = portal.apply_window(item, now=now)  # the auditors read until the report + N days
    document = storage.store(item, upload, kind=REPORT, actor=actor, now=now)
    db.session.flush()
    clocks = clocks_for(item)
    item.journal(
        "report_received", now=now, actor=actor, document_id=document.id, sha256=document.sha256
    )
    lines = [
        f"Rapport reçu le {format_instant_fr(now)} (SHA-256 {document.sha256}).",
        "Observations du sous-traitant possibles jusqu'au "
        f"{format_instant_fr(clocks.observations.closes_at)}.",
        "Mesures correctives éventuelles à réaliser au plus tard le "
        f"{format_day_fr(clocks.corrective.deadline)}.",
    ]
    if window is not None and portal.auditor_user_ids(item):
        last = format_day_fr(window[1])
        lines.append(f"Les auditeurs gardent l'accès en lecture jusqu'au {last} inclus.")
    notify.tell(
        item, notify.BOTH, title="Rapport d'audit reçu", lines=lines, now=now, event="report"
    )
    db.session.commit()
    return item


def send_observations(
    audit_id: int,
    text: str,
    upload: Upload | None,
    *,
    actor: Actor,
    now: datetime,
    version: int | None = None,
) -> AuditRequest:
    """The processor's observations on the report.

    Late observations are recorded, flagged and announced as late rather than refused: the
    15 days are the processor's right to be heard, not a duty, and refusing a late text would
    only hide information the municipality may still weigh (annex art. 4.6).
    """
    item = get_audit(audit_id, actor=actor, roles=rules.DECIDERS)
    check_version(item, version)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"observations": [N_("Rédigez les observations.")]})
    apply(item, AuditAction.SEND_OBSERVATIONS, now=now)
    deadline = clocks_for(item).observations
    item.observations, item.observations_sent_at = text, now
    item.is_observations_late = deadline.is_closed(now)
    if upload is not None and upload.filename:
        storage.store(
            item, storage.require_upload(upload, "file"), kind=OBSERVATIONS, actor=actor, now=now
        )
    item.journal("observations_sent", now=now, actor=actor, late=item.is_observations_late)
    lines = [text]
    if item.is_observations_late:
        lines.insert(
            0,
            "Attention : ces observations sont envoyées après le délai, qui a expiré "
            f"le {format_instant_fr(deadline.closes_at)}.",
        )
    notify.tell(
        item,
        notify.MUNICIPALITY,
        title="Observations du sous-traitant",
        lines=lines,
        now=now,
        event="observations",
    )
    db.session.commit()
    return item


def require_corrective_plan(audit_id: int, *, actor: Actor, now: datetime, version=None):
    """A significant failing: the corrective plan opens (measures within 3 months)."""
    item = get_audit(audit_id, actor=actor, roles=rules.PLAN_KEEPERS)
    check_version(item, version)
    apply(item, AuditAction.REQUIRE_CORRECTIVE_PLAN, now=now)
    corrective = clocks_for(item).corrective
    item.journal("corrective_plan", now=now, actor=actor)
    notify.tell(
        item,
        notify.BOTH,
        title="Plan de mesures correctives",
        now=now,
        event="plan",
        lines=[
            "Un manquement significatif impose des mesures correctives, à réaliser au "
            f"plus tard le {format_day_fr(corrective.deadline)}."
        ],
    )
    db.session.commit()
    return item


def contest(audit_id: int, reason: str, *, actor: Actor, now: datetime, version=None):
    """The report is contested: a new audit by another firm may be requested (not counted)."""
    item = get_audit(audit_id, actor=actor, roles=rules.PLAN_KEEPERS)
    check_version(item, version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [N_("Indiquez pourquoi le rapport est contesté.")]})
    apply(item, AuditAction.CONTEST_REPORT, now=now)
    item.contest_reason, item.contested_at = reason, now
    item.journal("contested", now=now, actor=actor, reason=reason)
    notify.tell(
        item,
        notify.BOTH,
        title="Rapport d'audit contesté",
        now=now,
        event="contested",
        lines=[
            f"Motif : {reason}",
            "Un nouvel audit par un autre cabinet peut être "
            "demandé ; il ne compte pas dans la limite d'un audit par période.",
        ],
    )
    db.session.commit()
    return item


def close(audit_id: int, *, actor: Actor, now: datetime, version=None) -> AuditRequest:
    """Close the audit; with a corrective plan, only once every measure is done."""
    item = get_audit(audit_id, actor=actor, roles=rules.PLAN_KEEPERS)
    check_version(item, version)
    apply(item, AuditAction.CLOSE, now=now, open_measures=item.open_measures)
    item.closed_at = now
    item.journal("closed", now=now, actor=actor)
    notify.tell(
        item,
        notify.BOTH,
        title="Audit clos",
        now=now,
        event="closed",
        lines=[f"L'audit a été clos le {format_instant_fr(now)}."],
    )
    db.session.commit()
    return item


def add_document(audit_id: int, upload, *, actor: Actor, now: datetime) -> AuditDocument:
    """Any other supporting file (both sides and the auditor)."""
    item = get_audit(audit_id, actor=actor, roles=rules.REPORT_SENDERS)
    document = storage.store(
        item, storage.require_upload(upload, "file"), kind=OTHER, actor=actor, now=now
    )
    db.session.flush()
    item.journal("document_added", now=now, actor=actor, document_id=document.id)
    db.session.commit()
    return document


def open_document(audit_id: int, document_id: int, *, actor: Actor, now: datetime):
    """A document of a visible audit and its path; the download is journaled."""
    item = get_audit(audit_id, actor=actor)
    document = db.session.get(AuditDocument, document_id)
    if document is None or document.audit_id != item.id:
        raise NotFound()
    item.journal("document_read", now=now, actor=actor, document_id=document.id)
    db.session.commit()
    return document, storage.path_of(document)
