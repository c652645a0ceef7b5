"""API tokens: shown once, stored as SHA-256, revocable."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from rgpd_app.accounts import rules
from rgpd_app.accounts.models import ApiToken, User
from rgpd_app.errors import NotFound
from rgpd_app.extensions import db
from rgpd_app.journal.services import record
from rgpd_app.tenancy import Actor


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
