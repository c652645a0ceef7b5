"""Account management: creating, reading, listing, disabling accounts (annex §1); their roles
are in rgpd_app.accounts.grants."""

from datetime import datetime

from sqlalchemy import select

from rgpd_app.accounts import grants, passwords, rules
from rgpd_app.accounts.models import User
from rgpd_app.accounts.services import check_new_password, find_user
from rgpd_app.errors import DomainError, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import contains, ordering, paginate


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
    grants.add_grant(
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


def create_account(data: dict, *, actor: Actor, now: datetime) -> User:
    """A manager opens an account (a UserInput): in an organisation it may open one in, with a
    first role it may give."""
    data = dict(data)
    organisation = account_organisation(data.pop("organisation_id"), actor=actor)
    return create_user(**data, organisation=organisation, actor=actor, now=now)


def require_manager(actor: Actor) -> None:
    """403 unless the actor manages accounts (before their input is even read)."""
    require(actor, *rules.ACCOUNT_MANAGERS)


def account_organisations(actor: Actor) -> list[Organisation]:
    """Where the actor may open an account: anywhere for an administrator, else its own."""
    stmt = select(Organisation).order_by(Organisation.kind.desc(), Organisation.name)
    if not actor.has(roles.ADMIN):
        stmt = stmt.where(Organisation.id == actor.organisation_id)
    return list(db.session.scalars(stmt))


def account_organisation(organisation_id: int, *, actor: Actor) -> Organisation:
    """The organisation of a new account, if the actor may open one there; else a refusal on
    the field (the same answer whether it exists elsewhere or not at all)."""
    org = db.session.get(Organisation, organisation_id)
    if org is None or not (actor.has(roles.ADMIN) or org.id == actor.organisation_id):
        raise DomainError(
            N_("Organisation inconnue."),
            fields={"organisation_id": [N_("Organisation inconnue.")]},
        )
    return org


def manage_check(actor: Actor, target: User) -> None:
    """Administrators manage every account; a controller DPO those of its municipality."""
    if actor.has(roles.ADMIN):
        return
    if actor.has(roles.CONTROLLER_DPO) and target.organisation_id == actor.organisation_id:
        return
    raise Forbidden()


def users_query(actor: Actor):
    if actor.has(roles.ADMIN):
        return select(User)
    if actor.has(roles.CONTROLLER_DPO):
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
