"""Role grants: granting a role for a period, revoking it, listing them (annex §1)."""

from datetime import date, datetime

from sqlalchemy import select

from deadlines import PARIS
from rgpd_app.accounts import rules
from rgpd_app.accounts.models import RoleGrant, User
from rgpd_app.errors import Conflict, DomainError, Forbidden, NotFound
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor, active_roles
from rgpd_app.foundation.journal import record
from rgpd_app.messages import N_, joined
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import Page, paginate


def grant_role(
    target: User,
    role: str,
    *,
    actor: Actor | None,
    now: datetime,
    controller_id=None,
    valid_from_on=None,
    valid_until_on=None,
) -> RoleGrant:
    grant = add_grant(
        target,
        role,
        actor=actor,
        now=now,
        controller_id=controller_id,
        valid_from_on=valid_from_on,
        valid_until_on=valid_until_on,
    )
    db.session.commit()
    return grant


def _refusals(actor: Actor | None, target: User, role: str) -> list[str]:
    """Who may give the role to whom (rules.grant_refusals); the CLI (no actor) may give any
    role its organisation's kind allows."""
    if actor is not None:
        return rules.grant_refusals(
            granter_id=actor.id,
            granter_roles=set(actor.roles),
            granter_org_id=actor.organisation_id,
            granter_is_processor=actor.user.organisation.is_processor,
            target_id=target.id,
            target_org_id=target.organisation_id,
            target_is_processor=target.organisation.is_processor,
            role=role,
        )
    if role not in roles.ALL_ROLES:
        return [N_("Rôle inconnu : %(role)s.", role=role)]
    if role in roles.PROCESSOR_ROLES and not target.organisation.is_processor:
        return [N_("Ce rôle est réservé aux comptes du sous-traitant.")]
    if role in roles.CONTROLLER_ROLES and target.organisation.is_processor:
        return [N_("Ce rôle est réservé aux comptes d'une collectivité.")]
    return []


def _period_refusals(role: str, controller_id, valid_from_on, valid_until_on, today) -> list[str]:
    reasons = []
    if role == roles.AUDITOR:
        controller = db.session.get(Organisation, controller_id) if controller_id else None
        if controller is None or controller.is_processor:
            reasons.append(
                N_("Un auditeur est habilité pour une seule collectivité : indiquez-la.")
            )
        if not valid_from_on or not valid_until_on:
            reasons.append(
                N_("L'habilitation d'un auditeur a une date de début et une date de fin.")
            )
    if valid_from_on and valid_until_on and valid_until_on < valid_from_on:
        reasons.append(N_("La date de fin précède la date de début."))
    elif valid_until_on and valid_until_on < today:
        reasons.append(N_("La date de fin est déjà passée."))
    return reasons


def _held(target: User, valid_from_on: date | None, valid_until_on: date | None) -> set[str]:
    """The roles the target holds at some day of the new grant's period (revoked ones aside)."""
    return {
        g.role
        for g in target.grants
        if g.revoked_at is None
        and rules.periods_overlap(g.valid_from_on, g.valid_until_on, valid_from_on, valid_until_on)
    }


def add_grant(
    target: User,
    role: str,
    *,
    actor: Actor | None,
    now: datetime,
    controller_id,
    valid_from_on,
    valid_until_on,
) -> RoleGrant:
    """Add a grant to the transaction (the caller commits): every reason to refuse it at once.
    Any role may be given for a period (from and until are French calendar days, both
    optional); an auditor's is always bound to one municipality and two dates."""
    today = now.astimezone(PARIS).date()
    reasons = _refusals(actor, target, role)
    reasons += _period_refusals(role, controller_id, valid_from_on, valid_until_on, today)
    held = _held(target, valid_from_on, valid_until_on)
    reasons += (
        rules.role_conflicts(held - {role}, role)
        if role not in held
        else [N_("Ce compte détient déjà ce rôle.")]
    )
    if reasons:
        raise DomainError(
            joined(" ", dict.fromkeys(reasons)),
            code="role_refused",
            fields={"role": list(dict.fromkeys(reasons))},
        )
    grant = RoleGrant(
        user=target,
        role=role,
        controller_id=controller_id if role == roles.AUDITOR else None,
        valid_from_on=valid_from_on,
        valid_until_on=valid_until_on,
        granted_by_id=actor.id if actor else None,
        granted_at=now,
    )
    db.session.add(grant)
    db.session.flush()
    record(
        "role.granted",
        now=now,
        actor=actor,
        user=actor.user if actor else None,
        organisation_id=target.organisation_id,
        object_type="user",
        object_id=target.id,
        details={
            "role": role,
            "controller_id": grant.controller_id,
            "valid_from_on": valid_from_on,
            "valid_until_on": valid_until_on,
        },
    )
    return grant


def find_grant(target: User, grant_id: int) -> RoleGrant:
    """One of the target's grants; 404 for any other id."""
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.user_id != target.id:
        raise NotFound()
    return grant


def list_grants(target: User, *, page: int = 1, per_page: int = 50) -> Page:
    """The target's grants, revoked ones included (the history of its rights), oldest first."""
    stmt = select(RoleGrant).where(RoleGrant.user_id == target.id)
    return paginate(stmt, page=page, per_page=per_page, order_by=[RoleGrant.id])


def revoke_role(grant: RoleGrant, *, actor: Actor, now: datetime) -> None:
    """End a grant now, with the rules of granting it; the holder's sessions end too."""
    target = grant.user
    reasons = _refusals(actor, target, grant.role)
    if reasons:
        raise Forbidden(joined(" ", reasons), code="role_refused")
    if grant.revoked_at is not None:
        raise Conflict(N_("Ce rôle a déjà été retiré."), code="grant_revoked")
    grant.revoked_at = now
    grant.revoked_by_id = actor.id
    target.session_version += 1
    record(
        "role.revoked",
        now=now,
        actor=actor,
        organisation_id=target.organisation_id,
        object_type="user",
        object_id=target.id,
        details={"role": grant.role, "grant_id": grant.id},
    )
    db.session.commit()


def users_holding(
    role_names: tuple[str, ...],
    *,
    organisation_id: int | None = None,
    processor_only: bool = False,
    now: datetime | None = None,
) -> list[User]:
    """Enabled accounts with an unrevoked grant of one of `role_names`, by e-mail, without repeats.

    `organisation_id` keeps one organisation's accounts, `processor_only` the processor's. A grant's
    validity dates are checked only when `now` is given (an auditor's access ends by itself)."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role.in_(role_names), RoleGrant.revoked_at.is_(None), User.is_enabled)
    )
    if processor_only:
        stmt = stmt.join(Organisation, Organisation.id == User.organisation_id).where(
            Organisation.kind == "processor"
        )
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    users = list(dict.fromkeys(db.session.scalars(stmt.order_by(User.email))))
    if now is not None:
        users = [u for u in users if set(role_names) & active_roles(u, now)[0]]
    return users


def emails_holding(role_names: tuple[str, ...], **filters) -> list[str]:
    """The addresses of `users_holding(role_names, **filters)`, in the same order."""
    return [user.email for user in users_holding(role_names, **filters)]
