"""Account use cases: login, two-factor, passwords, roles, tokens. One function each."""

import hashlib
import secrets
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import func, select

from rgpd_app.accounts import passwords, rules
from rgpd_app.accounts.models import ApiToken, RoleGrant, User
from rgpd_app.errors import DomainError, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.journal.services import record
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import paginate
from rgpd_app.tenancy import Actor, active_roles, actor_for, visible_controller_ids

GENERIC_LOGIN_ERROR = "Identifiant ou mot de passe incorrect, ou compte temporairement verrouillé."


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"

    def __init__(self):
        super().__init__(GENERIC_LOGIN_ERROR)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def authenticate(email: str, password: str, *, now: datetime) -> User:
    """Check the password step of a login; the message never tells whether the account exists."""
    user = find_user(email)
    cfg = current_app.config
    if user is None:
        passwords.check_password(None, password)
        record("login.failed", now=now, details={"email": (email or "")[:254], "reason": "unknown"})
        db.session.commit()
        raise LoginFailed()
    if rules.is_locked(user.locked_until_at, now):
        record("login.refused_locked", now=now, user=user)
        db.session.commit()
        raise LoginFailed()
    if not user.is_enabled or not passwords.check_password(user.password_hash, password):
        user.failed_logins, locked_until = rules.after_failure(
            user.failed_logins,
            now,
            max_failures=cfg["LOGIN_MAX_FAILURES"],
            lock_minutes=cfg["LOGIN_LOCK_MINUTES"],
        )
        reason = "disabled" if not user.is_enabled else "password"
        record("login.failed", now=now, user=user, details={"reason": reason})
        if locked_until:
            user.locked_until_at = locked_until
            record(
                "account.locked", now=now, user=user, details={"until": locked_until.isoformat()}
            )
        db.session.commit()
        raise LoginFailed()
    return user


def needs_totp_enrolment(user: User, now: datetime) -> bool:
    roles, _ = active_roles(user, now)
    return rules.requires_totp(set(roles)) and not user.has_totp


def verify_totp(user: User, code: str, *, now: datetime) -> None:
    """Second factor; a code is accepted once (replay refused) within ±1 step of 30 s."""
    totp = pyotp.TOTP(user.totp_secret or "")
    code = (code or "").replace(" ", "")
    step = None
    if user.totp_secret and code.isdigit():
        for offset in (-1, 0, 1):
            at = now.timestamp() + offset * 30
            if secrets.compare_digest(totp.at(at), code):
                step = int(at // 30)
                break
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        cfg = current_app.config
        user.failed_logins, locked_until = rules.after_failure(
            user.failed_logins,
            now,
            max_failures=cfg["LOGIN_MAX_FAILURES"],
            lock_minutes=cfg["LOGIN_LOCK_MINUTES"],
        )
        record("login.failed", now=now, user=user, details={"reason": "totp"})
        if locked_until:
            user.locked_until_at = locked_until
            record(
                "account.locked", now=now, user=user, details={"until": locked_until.isoformat()}
            )
        db.session.commit()
        raise DomainError(
            "Code de vérification incorrect.",
            code="totp_invalid",
            fields={"code": ["Code incorrect ou déjà utilisé."]},
        )
    user.totp_last_step = step



def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="rgpd_app")


def pending_totp_secret(user: User, *, now: datetime) -> str:
    """The secret being enrolled: made once and kept (encrypted) in the database until confirmed,
    never in the session cookie, which the browser can read."""
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        record("account.totp_enrolment_started", now=now, user=user)
        db.session.commit()
    return user.totp_secret


def confirm_totp_enrolment(user: User, code: str, *, now: datetime) -> None:
    """Enable two-factor authentication once the user proves the secret works."""
    verify_totp(user, code, now=now)
    user.totp_enabled_at = now
    record("account.totp_enabled", now=now, user=user)
    db.session.commit()


def complete_login(user: User, *, now: datetime) -> None:
    user.failed_logins = 0
    user.locked_until_at = None
    user.last_login_at = now
    record("login.success", now=now, user=user)
    db.session.commit()


def logout(user: User, *, now: datetime) -> None:
    # A new session version invalidates any copy of the old session cookie.
    user.session_version += 1
    record("logout", now=now, user=user)
    db.session.commit()


def password_expired(user: User, now: datetime) -> bool:
    return rules.password_expired(
        changed_at=user.password_changed_at,
        now=now,
        renewal_required=user.organisation.is_password_renewal_required,
    )


def _check_new_password(user_email: str, name: str, password: str, field: str = "new_password"):
    problems = passwords.problems(
        password, user_inputs=[user_email, user_email.split("@")[0], name]
    )
    if problems:
        raise ValidationFailed({field: problems})


def change_password(
    user: User, current: str, new: str, *, confirm: str | None = None, actor: Actor, now: datetime
) -> None:
    """The user changes their own password: at most twice a calendar day (annex §1)."""
    errors = {}
    if confirm is not None and confirm != new:
        errors["confirm_password"] = ["Les deux saisies ne correspondent pas."]
    if not passwords.check_password(user.password_hash, current):
        errors["current_password"] = ["Mot de passe actuel incorrect."]
    try:
        _check_new_password(user.email, user.name, new)
    except ValidationFailed as err:
        errors.update(err.fields)
    if passwords.check_password(user.password_hash, new):
        errors.setdefault("new_password", []).append("Le nouveau mot de passe doit être différent.")
    if errors:
        raise ValidationFailed(errors)
    _set_password(user, new, actor=actor, now=now, by_admin=False)
    db.session.commit()


def reset_password(target: User, new: str, *, actor: Actor | None, now: datetime) -> None:
    """An administrator (or the CLI) sets a password; not limited per day."""
    if actor is not None:
        if not actor.has(rules.ADMIN):
            raise Forbidden()
        if actor.id == target.id:
            raise Forbidden("Utilisez le changement de mot de passe pour votre propre compte.")
    _check_new_password(target.email, target.name, new, field="password")
    _set_password(target, new, actor=actor, now=now, by_admin=True)
    db.session.commit()


def _set_password(user: User, new: str, *, actor: Actor | None, now: datetime, by_admin: bool):
    today = now.date()
    allowance = rules.password_change_allowance(
        changes_on=user.password_changes_on,
        count=user.password_changes_count,
        today=today,
        max_per_day=current_app.config["PASSWORD_MAX_CHANGES_PER_DAY"],
        by_admin=by_admin,
    )
    if not allowance.allowed:
        raise DomainError(
            "Vous avez déjà changé votre mot de passe deux fois aujourd'hui ; "
            "réessayez demain ou demandez à un administrateur.",
            code="password_change_limit",
            fields={"new_password": ["Limite de deux changements par jour atteinte."]},
        )
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = now
    user.password_changes_on = today
    user.password_changes_count = allowance.count_today + (0 if by_admin else 1)
    user.failed_logins = 0
    user.locked_until_at = None
    user.session_version += 1
    action = "account.password_reset" if by_admin else "account.password_changed"
    record(
        action,
        now=now,
        actor=actor,
        user=actor.user if actor else None,
        organisation_id=user.organisation_id,
        object_type="user",
        object_id=user.id,
    )


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
) -> User:
    """Create an account with its first role; the same rules as any grant apply."""
    email = email.strip().lower()
    errors = {}
    if find_user(email):
        errors["email"] = ["Un compte existe déjà avec cette adresse."]
    try:
        _check_new_password(email, name, password, field="password")
    except ValidationFailed as err:
        errors.update(err.fields)
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=email,
        name=name,
        organisation=organisation,
        password_hash=passwords.hash_password(password),
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
        details={"email": email},
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
        reasons.append(f"Rôle inconnu : {role}.")
    elif role in rules.PROCESSOR_ROLES and not target.organisation.is_processor:
        reasons.append("Ce rôle est réservé aux comptes du sous-traitant.")
    elif role in rules.CONTROLLER_ROLES and target.organisation.is_processor:
        reasons.append("Ce rôle est réservé aux comptes d'une collectivité.")
    current, _ = active_roles(target, now)
    reasons += (
        rules.role_conflicts(set(current) - {role}, role)
        if role not in current
        else ["Ce compte détient déjà ce rôle."]
    )
    if role == rules.AUDITOR:
        controller = db.session.get(Organisation, controller_id) if controller_id else None
        if controller is None or controller.is_processor:
            reasons.append("Un auditeur est habilité pour une seule collectivité : indiquez-la.")
        if not valid_from_on or not valid_until_on:
            reasons.append("L'habilitation d'un auditeur a une date de début et une date de fin.")
        elif valid_until_on < valid_from_on:
            reasons.append("La date de fin précède la date de début.")
    if reasons:
        raise DomainError(
            " ".join(dict.fromkeys(reasons)),
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
        raise Forbidden(" ".join(reasons), code="role_refused")
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
        raise Forbidden("Vous ne pouvez pas désactiver votre propre compte.")
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


def list_users(*, actor: Actor, now: datetime, q: str = "", page: int = 1, per_page: int = 25):
    stmt = users_query(actor)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(User.email).like(like) | func.lower(User.name).like(like))
    result = paginate(stmt, page=page, per_page=per_page, order_by=[User.email])
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, label: str, actor: Actor | None, now: datetime) -> str:
    """A new API token, shown once; only its SHA-256 is stored."""
    token = "rgpd_" + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user=user, token_hash=_token_hash(token), prefix=token[:12], label=label, created_at=now
        )
    )
    record(
        "token.created",
        now=now,
        actor=actor,
        user=actor.user if actor else user,
        organisation_id=user.organisation_id,
        object_type="user",
        object_id=user.id,
        details={"prefix": token[:12], "label": label},
    )
    db.session.commit()
    return token


def revoke_token(token_id: int, *, actor: Actor, now: datetime) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.has(rules.ADMIN)):
        raise NotFound()
    token.revoked_at = now
    record("token.revoked", now=now, actor=actor, object_type="api_token", object_id=token.id)
    db.session.commit()


def user_for_token(token: str, *, now: datetime) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token or "")))
    if row is None or row.revoked_at is not None or not row.user.is_enabled:
        return None
    row.last_used_at = now
    return row.user


def controllers_visible(actor: Actor) -> frozenset[int] | None:
    return visible_controller_ids(actor)


__all__ = ["actor_for", "LoginFailed"]
