"""The processor's answer to a notice, silence included, and the auditors' accounts (art. 4.6)."""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

import audit as rules_lib
from audit import AuditAction, AuditState
from deadlines import format_day_fr, format_instant_fr
from rgpd_app.accounts import services as accounts
from rgpd_app.accounts.models import RoleGrant, User
from rgpd_app.accounts.users import services as management
from rgpd_app.audits import notify, portal, rules
from rgpd_app.audits.access import (
    AuditRefused,
    check_version,
    clocks_for,
    get_audit,
    rule_error,
)
from rgpd_app.audits.models import AuditAuditor, AuditRequest
from rgpd_app.errors import NotFound
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_


@dataclass
class Decision:
    """The audit after a decision, and the auditor accounts created (passwords shown once)."""

    audit: AuditRequest
    accounts: list[tuple[str, str]] = field(default_factory=list)


def decisions_payload(decision: Decision) -> dict:
    """The auditor accounts created by a decision, for the one answer that shows them."""
    return {"auditor_accounts": [{"email": e, "password": p} for e, p in decision.accounts]}


def apply(item: AuditRequest, action: AuditAction, *, now: datetime, **kwargs) -> None:
    """Move the audit through the library's state machine, or refuse with its message."""
    try:
        item.state = rules_lib.transition(item.state, action, now=now, **kwargs)
    except rules_lib.AuditRuleError as err:
        raise rule_error(err) from None


def _password() -> str:
    return f"{secrets.token_urlsafe(18)}-Au{secrets.randbelow(90) + 10}"


def _open_accounts(item: AuditRequest, *, now: datetime) -> list[tuple[str, str]]:
    """An auditor account per named auditor with an e-mail, for that municipality and dates.

    The accounts are created without their own commit: the decision and the accounts are
    written together by the single commit below.
    """
    created = []
    window = portal.access_window(item)
    for auditor in item.auditors:
        if not auditor.email or auditor.user_id is not None:
            continue
        existing = db.session.scalar(select(User).where(User.email == auditor.email))
        if existing is not None and _is_auditor_of(existing, item):
            # The municipality's own auditor account (an earlier audit, or opened by its
            # administrator): linked to this audit, its access follows this audit's window.
            auditor.user_id = existing.id
            if not any(_grant_for(g, item) for g in existing.grants):
                db.session.add(
                    RoleGrant(user=existing, role=roles.AUDITOR, controller_id=item.organisation_id,
                              valid_from_on=window[0], valid_until_on=window[1], granted_at=now)
                )  # fmt: skip
            item.journal("auditor_account_linked", now=now, actor=None, email=auditor.email)
            continue
        if existing is not None:
            item.journal("auditor_account_exists", now=now, actor=None, email=auditor.email)
            continue
        password = _password()
        user = management.create_user(
            email=auditor.email,
            name=auditor.name,
            organisation=item.organisation,
            password=password,
            role=roles.AUDITOR,
            actor=None,
            now=now,
            controller_id=item.organisation_id,
            valid_from_on=window[0],
            valid_until_on=window[1],
            commit=False,
        )
        auditor.user_id = user.id
        created.append((auditor.email, password))
    db.session.flush()
    portal.apply_window(item, now=now)
    db.session.commit()
    return created


def _is_auditor_of(user: User, item: AuditRequest) -> bool:
    """An account of the audited municipality holding nothing but auditor grants."""
    return user.organisation_id == item.organisation_id and all(
        g.role == roles.AUDITOR for g in user.grants
    )


def _grant_for(grant: RoleGrant, item: AuditRequest) -> bool:
    return (
        grant.role == roles.AUDITOR
        and grant.controller_id == item.organisation_id
        and grant.revoked_at is None
    )


def _accepted_lines(item: AuditRequest, how: str) -> list[str]:
    return [
        how,
        f"L'audit aura lieu du {format_day_fr(item.start_on)} au {format_day_fr(item.end_on)}.",
        "Les auditeurs nommés avec une adresse e-mail reçoivent un compte d'auditeur limité à "
        "la collectivité, ouvert dès aujourd'hui et jusqu'à "
        f"{item.organisation.auditor_access_days} jours après la réception du rapport.",
    ]


def _require_agreement(item: AuditRequest) -> None:
    if item.needs_processor_agreement and item.agreement_at is None:
        raise AuditRefused(
            N_(
                "Cet audit dépasse la limite d'un audit par période : enregistrez d'abord l'accord "
                "du sous-traitant (ou refusez l'exception)."
            ),
            code="agreement_missing",
            fields={"agreement": [N_("L'accord du sous-traitant n'est pas enregistré.")]},
        )


def accept(audit_id: int, *, actor: Actor, now: datetime, version: int | None = None) -> Decision:
    item = get_audit(audit_id, actor=actor, roles=rules.DECIDERS)
    check_version(item, version)
    _require_agreement(item)
    apply(item, AuditAction.ACCEPT, now=now)
    item.accepted_at, item.accepted_by_id = now, actor.id
    item.journal("accepted", now=now, actor=actor)
    notify.tell(
        item,
        notify.MUNICIPALITY,
        title="Audit accepté",
        now=now,
        event="accepted",
        lines=_accepted_lines(item, "Le sous-traitant a accepté l'audit."),
    )
    return Decision(item, _open_accounts(item, now=now))


def accept_by_silence(item: AuditRequest, *, now: datetime) -> bool:
    """The refusal window ended without a refusal: the audit is accepted (worker, idempotent)."""
    deadline = clocks_for(item).refusal
    if not rules_lib.due_silent_acceptance(item.state, deadline, now):
        return False
    if item.needs_processor_agreement and item.agreement_at is None:
        return False  # silence never waives the yearly limit: the processor's DPO must decide
    apply(item, AuditAction.ACCEPT_BY_SILENCE, now=now, refusal_deadline=deadline)
    item.accepted_at, item.is_accepted_by_silence = now, True
    item.journal("accepted_by_silence", now=now, actor=None, refusal_closed_at=deadline.closes_at)
    how = (
        "Le délai pour refuser l'auditeur a expiré le "
        f"{format_instant_fr(deadline.closes_at)} sans refus : l'audit est accepté."
    )
    notify.tell(
        item,
        notify.BOTH,
        title="Audit accepté tacitement",
        now=now,
        event="accepted_by_silence",
        lines=_accepted_lines(item, how),
    )
    _open_accounts(item, now=now)
    return True


def refuse(
    audit_id: int, data: dict, *, actor: Actor, now: datetime, version: int | None = None
) -> AuditRequest:
    """Refuse the auditor within the window, with a legitimate reason, maybe proposing a firm."""
    item = get_audit(audit_id, actor=actor, roles=rules.DECIDERS)
    check_version(item, version)
    reason = (data.get("reason") or "").strip()
    firm = (data.get("proposed_firm") or "").strip()
    apply(
        item, AuditAction.REFUSE, now=now, refusal_deadline=clocks_for(item).refusal, reason=reason
    )
    item.refused_at, item.refusal_reason, item.proposed_firm = now, reason, firm
    item.journal("refused", now=now, actor=actor, reason=reason, proposed_firm=firm)
    lines = [f"Motif : {reason}"]
    if firm:
        lines.append(
            f"Le sous-traitant propose le cabinet externe « {firm} » : acceptez-le ou "
            "déclinez-le depuis la page de l'audit."
        )
    notify.tell(
        item, notify.MUNICIPALITY, title="Auditeur refusé", lines=lines, now=now, event="refused"
    )
    db.session.commit()
    return item


def decide_agreement(
    audit_id: int, agree: bool, *, actor: Actor, now: datetime, version: int | None = None
) -> AuditRequest:
    """The processor's DPO waives the yearly limit for this audit, or declines (→ cancelled)."""
    item = get_audit(audit_id, actor=actor, roles=rules.DECIDERS)
    check_version(item, version)
    if not item.needs_processor_agreement or item.agreement_at is not None:
        raise AuditRefused(
            N_("Cet audit n'attend pas l'accord du sous-traitant."), code="agreement_not_needed"
        )
    if agree:
        if item.state != AuditState.REQUESTED:
            raise AuditRefused(
                N_("L'accord se donne sur une demande en attente."), code="agreement"
            )
        item.agreement_at, item.agreement_by_id = now, actor.id
        title, lines = (
            "Accord du sous-traitant pour un audit supplémentaire",
            [
                "Le sous-traitant accepte que cet audit ait lieu malgré la limite d'un audit par "
                "période."
            ],
        )
    else:
        apply(item, AuditAction.CANCEL, now=now)
        item.cancelled_at = now
        title, lines = (
            "Audit supplémentaire non accepté",
            [
                "Le sous-traitant n'accepte pas d'audit supplémentaire dans la période : "
                "la demande est annulée. Une nouvelle demande peut viser la date permise."
            ],
        )
    item.journal("agreement_given" if agree else "agreement_declined", now=now, actor=actor)
    notify.tell(item, notify.MUNICIPALITY, title=title, lines=lines, now=now, event="agreement")
    db.session.commit()
    return item


def decide_firm(
    audit_id: int, accept_firm: bool, *, actor: Actor, now: datetime, version: int | None = None
) -> Decision:
    """The municipality accepts the external firm the processor proposed, or declines it."""
    item = get_audit(audit_id, actor=actor, roles=rules.REQUESTERS)
    check_version(item, version)
    action = AuditAction.ACCEPT_EXTERNAL_FIRM if accept_firm else AuditAction.DECLINE_EXTERNAL_FIRM
    apply(item, action, now=now, firm=item.proposed_firm or None)
    item.firm_decision_at = now
    if accept_firm:
        item.accepted_at = now
        item.closed_at = None
    else:
        item.closed_at = now
    item.journal(
        "firm_accepted" if accept_firm else "firm_declined",
        now=now,
        actor=actor,
        firm=item.proposed_firm,
    )
    verb = "accepte" if accept_firm else "décline"
    notify.tell(
        item,
        notify.PROCESSOR,
        title=f"Cabinet proposé : la collectivité {verb}",
        lines=[f"La collectivité {verb} le cabinet « {item.proposed_firm} »."],
        now=now,
        event="firm",
    )
    db.session.commit()
    return Decision(item)


def cancel(audit_id: int, *, actor: Actor, now: datetime, version: int | None = None):
    """The municipality withdraws its request before the audit starts."""
    item = get_audit(audit_id, actor=actor, roles=rules.REQUESTERS)
    check_version(item, version)
    apply(item, AuditAction.CANCEL, now=now)
    item.cancelled_at = now
    item.journal("cancelled", now=now, actor=actor)
    notify.tell(
        item,
        notify.PROCESSOR,
        title="Audit annulé par la collectivité",
        now=now,
        lines=["La collectivité a retiré sa demande d'audit."],
        event="cancelled",
    )
    db.session.commit()
    return item


def new_auditor_password(
    audit_id: int, auditor_id: int, *, actor: Actor, now: datetime
) -> tuple[str, str]:
    """A fresh password for an auditor's account, shown once to the processor's DPO."""
    item = get_audit(audit_id, actor=actor, roles=rules.DECIDERS)
    require(actor, roles.PROCESSOR_DPO)
    auditor = db.session.get(AuditAuditor, auditor_id)
    if auditor is None or auditor.audit_id != item.id or auditor.user_id is None:
        raise NotFound()
    user = db.session.get(User, auditor.user_id)
    password = _password()
    item.journal("auditor_password_reset", now=now, actor=actor, user_id=user.id)
    accounts.reset_password(user, password, actor=None, now=now)
    return user.email, password
