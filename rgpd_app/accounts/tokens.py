"""API tokens: shown once, stored as SHA-256, expiring, revocable."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from rgpd_app.accounts.models import ApiToken, User
from rgpd_app.errors import Conflict, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.messages import N_
from rgpd_app.paging import Page, paginate

DEFAULT_DAYS = 90  # a token's life unless asked otherwise
MAX_DAYS = 365  # and a year at most: a forgotten token stops working by itself
TOO_LONG = N_("Un jeton vit de 1 à %(max)s jours.", max=MAX_DAYS)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    user: User,
    *,
    label: str,
    actor: Actor | None,
    now: datetime,
    valid_days: int = DEFAULT_DAYS,
    not_after: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token valid `valid_days` days (and no later than `not_after`: a token made
    with a token never outlives it, so a stolen one cannot renew itself): its row, and its
    secret, shown once (only its SHA-256 is stored)."""
    if not 1 <= valid_days <= MAX_DAYS:
        raise ValidationFailed({"valid_days": [TOO_LONG]})
    expires_at = now + timedelta(days=valid_days)
    if not_after is not None:
        expires_at = min(expires_at, not_after)
    token = "rgpd_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        token_hash=_token_hash(token),
        prefix=token[:12],
        label=label,
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "token.created",
        now=now,
        actor=actor,
        user=actor.user if actor else user,
        organisation_id=user.organisation_id,
        object_type="user",
        object_id=user.id,
        details={"prefix": token[:12], "label": label, "expires_at": row.expires_at},
    )
    db.session.commit()
    return row, token


def create_token(
    user: User, *, label: str, actor: Actor | None, now: datetime, valid_days: int = DEFAULT_DAYS
) -> str:
    """The secret of a new token (issue_token), for the callers that only show it."""
    return issue_token(user, label=label, actor=actor, now=now, valid_days=valid_days)[1]


def list_tokens(*, actor: Actor, page: int = 1, per_page: int = 50) -> Page:
    """The actor's own tokens, newest first (their secrets are never stored)."""
    stmt = select(ApiToken).where(ApiToken.user_id == actor.id)
    return paginate(stmt, page=page, per_page=per_page, order_by=[ApiToken.id.desc()])


def revoke_token(token_id: int, *, actor: Actor, now: datetime) -> None:
    """One's own token, or anyone's for an administrator; a revoked token stays revoked."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.has(roles.ADMIN)):
        raise NotFound()
    if token.revoked_at is not None:
        raise Conflict(N_("Ce jeton est déjà révoqué."), code="token_revoked")
    token.revoked_at = now
    record(
        "token.revoked",
        now=now,
        actor=actor,
        organisation_id=token.user.organisation_id,
        object_type="api_token",
        object_id=token.id,
        details={"prefix": token.prefix},
    )
    db.session.commit()


def revoke_all(user: User, *, reason: str, actor: Actor | None, now: datetime) -> int:
    """Revoke every token of `user` still usable (a password changed or reset: whoever knew the
    old password may have made one); one journal entry each. The caller commits."""
    rows = db.session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now
        )
    ).all()
    for token in rows:
        token.revoked_at = now
        record(
            "token.revoked",
            now=now,
            actor=actor,
            user=actor.user if actor else user,
            organisation_id=user.organisation_id,
            object_type="api_token",
            object_id=token.id,
            details={"prefix": token.prefix, "reason": reason},
        )
    return len(rows)


def active_token(token: str, *, now: datetime) -> ApiToken | None:
    """The token, neither revoked nor expired, of an enabled user (its use noted); else None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token or "")))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not row.user.is_enabled:
        return None
    row.last_used_at = now
    return row


def user_for_token(token: str, *, now: datetime) -> User | None:
    """The enabled user of a token neither revoked nor expired; None otherwise."""
    row = active_token(token, now=now)
    return row.user if row is not None else None
