"""A municipality's answer (objection, written approval) and the processor DPO's follow-up
(receipt date with its proof, outcome of an objection)."""

from datetime import date, datetime

from sqlalchemy import update

from rgpd_app.accounts.grants import users_holding
from rgpd_app.errors import Conflict, DomainError, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.messages import N_
from rgpd_app.notifications.services import enqueue_email
from rgpd_app.subprocessors.models import NoticeRecipient
from rgpd_app.subprocessors.notices import rules as notice_rules
from rgpd_app.subprocessors.notices import windows
from rgpd_app.subprocessors.notices.services import READERS, recipient_link, require_processor_dpo
from rgpd_app.subprocessors.notices.text import notice_title


class WindowClosed(DomainError):
    status = 409
    code = "window_closed"


def get_recipient(notice_id: int, recipient_id: int, *, actor: Actor) -> NoticeRecipient:
    """403 for a role without access; 404 for another municipality's record."""
    require(actor, *READERS)
    if actor.has(roles.PROCESSOR_DPO) and not actor.is_processor_staff:
        raise NotFound()
    recipient = get_visible(
        NoticeRecipient, recipient_id, actor, column=NoticeRecipient.organisation_id
    )
    if recipient.notice_id != notice_id:
        raise NotFound()
    return recipient


def read_recipient(notice_id: int, recipient_id: int, *, actor: Actor, now: datetime):
    """The page where a municipality answers; an objection's reason may name people: journaled."""
    recipient = get_recipient(notice_id, recipient_id, actor=actor)
    recipient.journal("subprocessor_notice.read", now=now, actor=actor)
    db.session.commit()
    return recipient


def _claim(recipient: NoticeRecipient, states: tuple[str, ...], **values) -> bool:
    """Compare-and-set: only one of two simultaneous answers moves the record."""
    done = db.session.execute(
        update(NoticeRecipient)
        .where(NoticeRecipient.id == recipient.id, NoticeRecipient.state.in_(states))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(recipient)
    return bool(done)


def object_to(
    notice_id: int, recipient_id: int, *, reason: str, actor: Actor, now: datetime
) -> NoticeRecipient:
    """The municipality's DPO objects before the window closes. The same objection replayed
    returns the first one, with no second journal row and no second e-mail."""
    require(actor, roles.CONTROLLER_DPO)
    recipient = get_recipient(notice_id, recipient_id, actor=actor)
    reason = reason.strip()
    if recipient.objected_at is None:
        refusal = notice_rules.objection_refusal(
            recipient.state, recipient.window_closes_at, recipient.window_ends_on, now
        )
        if refusal:
            raise WindowClosed(refusal)
        values = {
            "state": notice_rules.OBJECTED,
            "objected_at": now,
            "objected_by_id": actor.id,
            "objection_reason": reason,
        }
        if _claim(recipient, notice_rules.BEFORE_CLOSE, **values):
            recipient.journal("subprocessor_notice.objected", now=now, actor=actor)
            _tell_processor(recipient, now=now)
            db.session.commit()
            return recipient
    if recipient.objected_at is not None and recipient.objection_reason == reason:
        db.session.rollback()
        return recipient
    raise Conflict(
        N_("Une objection a déjà été enregistrée pour cette collectivité."), code="already_objected"
    )


def _tell_processor(recipient: NoticeRecipient, *, now: datetime) -> None:
    for user in users_holding((roles.PROCESSOR_DPO,), now=now):
        enqueue_email(
            to=user.email,
            template="subprocessor_objection",
            context={
                "title": notice_title(recipient.notice),
                "organisation_name": recipient.organisation.name,
                "lines": [
                    "La collectivité s'oppose à ce changement de sous-traitant ultérieur.",
                    "Enregistrez la suite donnée (retrait, alternative, accord, résiliation).",
                ],
                "link": recipient_link(recipient),
                "link_label": "Voir l'objection",
            },
            organisation_id=recipient.organisation_id,
            event=("subprocessor_notice_objection", recipient.id),
            now=now,
        )


def approve(
    notice_id: int, recipient_id: int, *, reference: str, actor: Actor, now: datetime
) -> NoticeRecipient:
    """Explicit written approval, the only consent to a transfer outside the EU/EEA (4.2)."""
    require(actor, roles.CONTROLLER_DPO)
    recipient = get_recipient(notice_id, recipient_id, actor=actor)
    reference = reference.strip()
    if recipient.state == notice_rules.APPROVED and recipient.approval_reference == reference:
        return recipient
    values = {
        "state": notice_rules.APPROVED,
        "approved_at": now,
        "approved_by_id": actor.id,
        "approval_reference": reference,
        "decided_at": now,
    }
    if not _claim(recipient, notice_rules.APPROVABLE, **values):
        db.session.rollback()
        label = notice_rules.STATES.get(recipient.state, recipient.state)
        raise Conflict(
            N_("Approbation impossible : état actuel « %(label)s ».", label=label),
            code="not_approvable",
        )
    recipient.journal("subprocessor_notice.approved", now=now, actor=actor, reference=reference)
    db.session.commit()
    return recipient


def record_receipt(
    notice_id: int,
    recipient_id: int,
    *,
    received_on: date,
    proof: str,
    actor: Actor,
    now: datetime,
) -> NoticeRecipient:
    """The processor's DPO records another receipt date with its proof: the window is
    recomputed from it, and the change is journaled."""
    require_processor_dpo(actor)
    recipient = get_recipient(notice_id, recipient_id, actor=actor)
    if recipient.state not in notice_rules.RECEIPT_EDITABLE:
        label = notice_rules.STATES.get(recipient.state, recipient.state)
        raise Conflict(
            N_("La date de réception ne peut plus changer : « %(label)s ».", label=label)
        )
    sent_on = windows.paris_day(recipient.notice.sent_at)
    if received_on < sent_on or received_on > windows.paris_day(now):
        raise ValidationFailed(
            {
                "received_on": [
                    N_(
                        "La date de réception doit être comprise entre l'envoi (%(sent_on)s) et "
                        "aujourd'hui.",
                        sent_on=sent_on.isoformat(),
                    )
                ]
            }
        )
    before = {"received_on": recipient.received_on, "window_ends_on": recipient.window_ends_on}
    recipient.receipt_source = windows.MANUAL
    recipient.receipt_proof = proof.strip()
    windows.set_window(recipient, received_on, now=now)
    recipient.journal(
        "subprocessor_notice.receipt_recorded",
        now=now,
        actor=actor,
        before=before,
        received_on=received_on,
        window_ends_on=recipient.window_ends_on,
        proof=recipient.receipt_proof,
    )
    db.session.commit()
    return recipient


def record_outcome(
    notice_id: int, recipient_id: int, *, outcome: str, note: str, actor: Actor, now: datetime
) -> NoticeRecipient:
    """What became of an objection; the sub-processor stays not authorised for that town."""
    require_processor_dpo(actor)
    recipient = get_recipient(notice_id, recipient_id, actor=actor)
    if outcome not in notice_rules.OUTCOMES:
        raise ValidationFailed({"outcome": [N_("Issue inconnue.")]})
    values = {
        "state": notice_rules.RESOLVED,
        "outcome": outcome,
        "outcome_note": note.strip(),
        "outcome_at": now,
        "outcome_by_id": actor.id,
    }
    if not _claim(recipient, (notice_rules.OBJECTED,), **values):
        db.session.rollback()
        raise Conflict(N_("Aucune objection en attente de suite pour cette collectivité."))
    recipient.journal("subprocessor_notice.outcome", now=now, actor=actor, outcome=outcome)
    enqueue_email(
        to=recipient.email_to,
        template="notice",
        context={
            "title": notice_title(recipient.notice),
            "organisation_name": recipient.organisation.name,
            "lines": [
                "Suite donnée à votre objection : " + notice_rules.OUTCOMES[outcome] + ".",
                recipient.outcome_note,
            ],
            "link": recipient_link(recipient),
        },
        organisation_id=recipient.organisation_id,
        event=("subprocessor_notice_outcome", recipient.id),
        now=now,
    )
    db.session.commit()
    return recipient
