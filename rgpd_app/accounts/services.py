"""Account use cases: login, two-factor authentication, passwords. One function each."""

import secrets
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from rgpd_app.accounts import passwords, rules, tokens
from rgpd_app.accounts.models import User
from rgpd_app.errors import DomainError, Forbidden, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor, active_roles
from rgpd_app.foundation.journal import record
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.validation import id_value

GENERIC_LOGIN_ERROR = "Identifiant ou mot de passe incorrect, ou compte temporairement verrouillé."


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"

    def __init__(self):
        super().__init__(GENERIC_LOGIN_ERROR)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def authenticate(email: str, password: str, *, now: datetime) -> User:
    """Check the password step of a login. Every refusal (unknown account, wrong password, locked
    or disabled account) gives the same answer after the same work: one Argon2 verification, one
    journal entry, one commit, so that neither the message nor the time tells which it was
    (ASVS 5.0 6.3.8)."""
    user = find_user(email)
    # First, whatever the account: returning before hashing is what told a locked account apart.
    matches = passwords.check_password(user.password_hash if user else None, password)
    if user is None:
        record("login.failed", now=now, details={"email": (email or "")[:254], "reason": "unknown"})
    elif is_locked(user, now):
        record("login.refused_locked", now=now, user=user)
    elif not user.is_enabled or not matches:
        count_failure(user, "disabled" if not user.is_enabled else "password", now=now)
    else:
        return user
    db.session.commit()
    raise LoginFailed()


def is_locked(user: User, now: datetime) -> bool:
    return rules.is_locked(user.locked_until_at, now)


def count_failure(user: User, reason: str, *, now: datetime) -> None:
    """One more failed step of a login (password or code) towards the lockout (annex §1)."""
    cfg = current_app.config
    user.failed_logins, locked_until = rules.after_failure(
        user.failed_logins,
        now,
        max_failures=cfg["LOGIN_MAX_FAILURES"],
        lock_minutes=cfg["LOGIN_LOCK_MINUTES"],
    )
    record("login.failed", now=now, user=user, details={"reason": reason})
    if locked_until:
        user.locked_until_at = locked_until
        record("account.locked", now=now, user=user, details={"until": locked_until.isoformat()})


# A session's user with its grants in the same round trip: every request reads them (the
# actor's roles). Built once, so SQLAlchemy keeps its cache key (bench/web.py).
SESSION_USER = select(User).options(joinedload(User.grants)).where(User.id == bindparam("user_id"))


def load_session_user(session_id: str) -> User | None:
    """The enabled user of a session id "<user id>:<session version>" (Flask-Login's loader)."""
    user_id, _, version = session_id.partition(":")
    user_id = id_value(user_id)
    if user_id is None:
        return None
    found = db.session.execute(SESSION_USER, {"user_id": user_id})
    user = found.unique().scalar_one_or_none()
    if user is None or not user.is_enabled or str(user.session_version) != version:
        return None
    return user


def needs_totp_enrolment(user: User, now: datetime) -> bool:
    held, _ = active_roles(user, now)
    return rules.requires_totp(set(held)) and not user.has_totp


def verify_totp(user: User, code: str, *, now: datetime) -> None:
    """Second factor; a code is accepted once (replay refused) within ±1 step of 30 s. A wrong
    code counts towards the lockout, and a locked account is refused whatever the code."""
    if is_locked(user, now):
        record("login.refused_locked", now=now, user=user, details={"step": "totp"})
        db.session.commit()
        raise LoginFailed()
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
        count_failure(user, "totp", now=now)
        db.session.commit()
        raise DomainError(
            N_("Code de vérification incorrect."),
            code="totp_invalid",
            fields={"code": [N_("Code incorrect ou déjà utilisé.")]},
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


def complete_login(user: User, *, now: datetime, details: dict | None = None) -> None:
    user.failed_logins = 0
    user.locked_until_at = None
    user.last_login_at = now
    record("login.success", now=now, user=user, details=details)
    db.session.commit()


def logout(user: User, *, now: datetime, details: dict | None = None) -> None:
    # A new session version invalidates any copy of the old session cookie.
    user.session_version += 1
    record("logout", now=now, user=user, details=details)
    db.session.commit()


def password_expired(user: User, now: datetime) -> bool:
    return rules.password_expired(
        changed_at=user.password_changed_at,
        now=now,
        renewal_required=user.organisation.is_password_renewal_required,
    )


def check_new_password(
    user_email: str,
    name: str,
    password: str,
    field: str = "new_password",
    *,
    organisation: Organisation | None = None,
):
    problems = passwords.problems(
        password, passwords.context(user_email, name, organisation), field=field
    )
    if problems:
        raise ValidationFailed({field: problems})


def change_password(
    user: User, current: str, new: str, *, confirm: str | None = None, actor: Actor, now: datetime
) -> None:
    """The user changes their own password: at most twice a calendar day (annex §1). Their API
    tokens are revoked: one made by whoever knew the old password must not outlive it."""
    errors = {}
    if confirm is not None and confirm != new:
        errors["confirm_password"] = [N_("Les deux saisies ne correspondent pas.")]
    if not passwords.check_password(user.password_hash, current):
        errors["current_password"] = [N_("Mot de passe actuel incorrect.")]
    try:
        check_new_password(user.email, user.name, new, organisation=user.organisation)
    except ValidationFailed as err:
        errors.update(err.fields)
    if passwords.check_password(user.password_hash, new):
        errors.setdefault("new_password", []).append("Le nouveau mot de passe doit être différent.")
    if errors:
        raise ValidationFailed(errors)
    _set_password(user, new, actor=actor, now=now, by_admin=False)
    db.session.commit()


def reset_password(target: User, new: str, *, actor: Actor | None, now: datetime) -> None:
    """An administrator (or the CLI) sets a password; not limited per day. The account's
    tokens are revoked, as on any password change."""
    if actor is not None:
        if not actor.has(roles.ADMIN):
            raise Forbidden()
        if actor.id == target.id:
            raise Forbidden(N_("Utilisez le changement de mot de passe pour votre propre compte."))
    check_new_password(
        target.email, target.name, new, field="password", organisation=target.organisation
    )
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
            N_(
                "Vous avez déjà changé votre mot de passe deux fois aujourd'hui ; "
                "réessayez demain ou demandez à un administrateur."
            ),
            code="password_change_limit",
            fields={"new_password": [N_("Limite de deux changements par jour atteinte.")]},
        )
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = now
    user.password_changes_on = today
    user.password_changes_count = allowance.count_today + (0 if by_admin else 1)
    user.failed_logins = 0
    user.locked_until_at = None
    user.session_version += 1
    action = "account.password_reset" if by_admin else "account.password_changed"
    tokens.revoke_all(user, reason=action, actor=actor, now=now)
    record(
        action,
        now=now,
        actor=actor,
        user=actor.user if actor else None,
        organisation_id=user.organisation_id,
        object_type="user",
        object_id=user.id,
    )
