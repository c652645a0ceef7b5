"""Argon2id hashing and the password-strength check (zxcvbn, a maintained estimator)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rgpd_app.accounts import rules

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile

# A hash to spend the same time when the account does not exist; made on first use, not at
# import (hashing takes Argon2's 64 MiB, which every process would otherwise hold at start-up).
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("dummy password for timing equality")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
        return matches and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def problems(password: str, user_inputs=()) -> list[str]:
    from zxcvbn import zxcvbn  # imported on use: its word lists cost every process ~12 MB

    score = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])["score"]
    return rules.password_problems(password, score=score, user_inputs=user_inputs)
