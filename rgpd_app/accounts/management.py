"""Account management: creating accounts, granting and revoking roles, disabling (annex §1)."""

from datetime import datetime

from sqlalchemy import select

from rgpd_app.accounts import passwords, rules
from rgpd_app.accounts.models import RoleGrant, User
from rgpd_app.accounts.services import check_new_password, find_user
from rgpd_app.errors import DomainError, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.journal.services import record
from rgpd_app.messages import N_, joined
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import contains, ordering, paginate
from rgpd_app.tenancy import Actor, active_roles


def add_account(
    *,
    email: str,
    name: str,
    organisation: Organisation,
    password_hash: str,
    actor: Actor | None,
    now: datetime,
    details: dict | None = None,
) -> User:
    """The account row and its journal entry, without any role: the caller grants one, or not
    (a first sign-in through a provider, rgpd_app.accounts.oidc)."""
    user = User(
        email=email,
        name=name,
        organisation=organisation,
        password_hash=password_hash,
        password_changed_at=now,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    record(
        "user.created",
        now=now,
        actor=actor,
        user=actor.user if actor else None,
        organisation_id=organisation.id,
        object_type="user",
        object_id=user.id,
        details={"email": email, **(details or {})},
    )
    return user


def create_user(
    *,
    email: str,
    name: str,
    organisation: Organisation,
    password: str,
    role: str,
    actor: Actor | None,
    now: datetime,
    controller_id: int | None = None,
    valid_from_on=None,
    valid_until_on=None,
    commit: bool = True,
) -> User:
    """Create an account with its first role; the same rules as any grant apply.

    `commit=False` lets a use case that creates accounts as one of its steps commit once."""
    email = email.strip().lower()
    errors = {}
    if find_user(email):
        errors["email"] = [N_("Un compte existe déjà avec cette adresse.")]
    try:
        check_new_password(email, name, password, field="password")
    except ValidationFailed as err:
        errors.update(err.fields)
    if errors:
        raise ValidationFailed(errors)
    user = add_account(
        email=email,
        name=name,
        organisation=organisation,
        password_hash=passwords.hash_password(password),
        actor=actor,
        now=now,
    )
    _grant(
        user,
        role,
        actor=actor,
        now=now,
        controller_id=controller_id,
        valid_from_on=valid_from_on,
        valid_until_on=valid_until_on,
    )
    if commit:
        db.session.commit()
    return user


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
    grant = _grant(
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


def _grant(
    target: User,
    role: str,
    *,
    actor: Actor | None,
    now: datetime,
    controller_id,
    valid_from_on,
    valid_until_on,
) -> RoleGrant:
    reasons = []
    if actor is not None:
        reasons += rules.grant_refusals(
            granter_id=actor.id,
            granter_roles=set(actor.roles),
            granter_org_id=actor.organisation_id,
            granter_is_processor=actor.user.organisation.is_processor,
            target_id=target.id,
            target_org_id=target.organisation_id,
            target_is_processor=target.organisation.is_processor,
            role=role,
        )
    elif role not in rules.ALL_ROLES:
        reasons.append(N_("Rôle inconnu : %(role)s.", role=role))
    elif role in rules.PROCESSOR_ROLES and not target.organisation.is_processor:
        reasons.append(N_("Ce rôle est réservé aux comptes du sous-traitant."))
    elif role in rules.CONTROLLER_ROLES and target.organisation.is_processor:
        reasons.append(N_("Ce rôle est réservé aux comptes d'une collectivité."))
    current, _ = active_roles(target, now)
    reasons += (
        rules.role_conflicts(set(current) - {role}, role)
        if role not in current
        else [N_("Ce compte détient déjà ce rôle.")]
    )
    if role == rules.AUDITOR:
        controller = db.session.get(Organisation, controller_id) if controller_id else None
        if controller is None or controller.is_processor:
            reasons.append(
                N_("Un auditeur est habilité pour une seule collectivité : indiquez-la.")
            )
        if not valid_from_on or not valid_until_on:
            reasons.append(
                N_("L'habilitation d'un auditeur a une date de début et une date de fin.")
            )
        elif valid_until_on < valid_from_on:
            reasons.append(N_("La date de fin précède la date de début."))
    if reasons:
        raise DomainError(
            joined(" ", dict.fromkeys(reasons)),
            code="role_refused",
            fields={"role": list(dict.fromkeys(reasons))},
        )
    grant = RoleGrant(
        user=target,
        role=role,
        controller_id=controller_id if role == rules.AUDITOR else None,
        valid_from_on=valid_from_on if role == rules.AUDITOR else None,
        valid_until_on=valid_until_on if role == rules.AUDITOR else None,
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
            "valid_until_on": valid_until_on,
        },
    )
    return grant


def revoke_role(grant: RoleGrant, *, actor: Actor, now: datetime) -> None:
    target = grant.user
    reasons = rules.grant_refusals(
        granter_id=actor.id,
        granter_roles=set(actor.roles),
        granter_org_id=actor.organisation_id,
        granter_is_processor=actor.user.organisation.is_processor,
        target_id=target.id,
        target_org_id=target.organisation_id,
        target_is_processor=target.organisation.is_processor,
        role=grant.role,
    )
    if reasons:
        raise Forbidden(joined(" ", reasons), code="role_refused")
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
        details={"role": grant.role},
    )
    db.session.commit()


def set_enabled(target: User, enabled: bool, *, actor: Actor, now: datetime) -> None:
    """Disable or re-enable an account; disabling ends its sessions at once."""
    manage_check(actor, target)
    if actor.id == target.id:
        raise Forbidden(N_("Vous ne pouvez pas désactiver votre propre compte."))
    target.is_enabled = enabled
    target.session_version += 1
    if enabled:
        target.failed_logins = 0
        target.locked_until_at = None
    record(
        "user.enabled" if enabled else "user.disabled",
        now=now,
        actor=actor,
        organisation_id=target.organisation_id,
        object_type="user",
        object_id=target.id,
    )
    db.session.commit()


def manage_check(actor: Actor, target: User) -> None:
    """Administrators manage every account; a controller DPO those of its municipality."""
    if actor.has(rules.ADMIN):
        return
    if actor.has(rules.CONTROLLER_DPO) and target.organisation_id == actor.organisation_id:
        return
    raise Forbidden()


def users_query(actor: Actor):
    if actor.has(rules.ADMIN):
        return select(User)
    if actor.has(rules.CONTROLLER_DPO):
        return select(User).where(User.organisation_id == actor.organisation_id)
    raise Forbidden()


USER_SORTS = {"email": User.email, "name": User.name}


def list_users(
    *, actor: Actor, now: datetime, q: str = "", sort: str = "email", page: int = 1,
    per_page: int = 25,
):  # fmt: skip
    stmt = users_query(actor)
    if q:
        stmt = stmt.where(contains(User.email, q) | contains(User.name, q))
    order = ordering(sort, USER_SORTS, "email", User.id)
    result = paginate(stmt, page=page, per_page=per_page, order_by=order)
    record("user.list_read", now=now, actor=actor, details={"q": q, "page": page})
    db.session.commit()
    return result


def get_user(user_id: int, *, actor: Actor, now: datetime) -> User:
    user = db.session.scalar(users_query(actor).where(User.id == user_id))
    if user is None:
        raise NotFound()
    record(
        "user.read",
        now=now,
        actor=actor,
        organisation_id=user.organisation_id,
        object_type="user",
        object_id=user.id,
    )
    db.session.commit()
    return user
