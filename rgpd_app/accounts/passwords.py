"""Argon2id hashing and the password-strength check (zxcvbn, taught French words and the
user's context: ASVS 5.0 V6.2.11, V6.2.12)."""

import functools
import re
import threading
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rgpd_app.accounts import rules

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile

# A hash to spend the same time when there is no password to check (unknown account); made on
# first use, not at import (hashing takes Argon2's 64 MiB, which every process would otherwise
# hold at start-up), and again whenever the hasher's parameters change, so that verifying it
# always costs what verifying a real hash costs.
_DUMMY_HASH: str | None = None

# How many of wordfreq's most frequent French words zxcvbn knows, ranked by frequency as its own
# English lists are. 50,000 covers the everyday vocabulary (and its accent-free spellings).
FRENCH_WORDS = 50_000
_ZXCVBN_LOCK = threading.Lock()


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None or _hasher.check_needs_rehash(_DUMMY_HASH):
        _DUMMY_HASH = _hasher.hash("dummy password for timing equality")
    return _DUMMY_HASH


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; one Argon2 verification whatever the case (no hash: a dummy)."""
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
        return matches and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def french_words() -> list[str]:
    """French words by frequency (wordfreq), each followed by its spelling without accents."""
    from wordfreq import top_n_list

    words = []
    for word in top_n_list("fr", FRENCH_WORDS):
        if len(word) >= 3 and word.isalpha():
            words.append(word)
            plain = rules.fold(word)
            if plain != word:
                words.append(plain)
    return list(dict.fromkeys(words))


@functools.cache
def _estimator():
    # Imported on first use: the word lists cost every process ~20 MB, and only the password
    # forms need them.
    from zxcvbn import matching, scoring, zxcvbn

    matching.add_frequency_lists({rules.FRENCH_DICTIONARY: french_words()})
    # zxcvbn 4.5 still recognises years up to 2019 only, and estimates their space from 2017:
    # "Soleil2026" would count 2026 as four random digits.
    matching.REGEXEN["recent_year"] = re.compile(r"19\d\d|20\d\d")
    scoring.REFERENCE_YEAR = datetime.now(UTC).year
    dictionaries = {k: v for k, v in matching.RANKED_DICTIONARIES.items() if k != "user_inputs"}
    return zxcvbn, dictionaries


def context(email: str, name: str, organisation=None) -> dict[str, str]:
    """The words a guesser tries first against this user, from the user's organisation too."""
    return rules.context_words(
        name=name,
        email=email,
        organisation_name=organisation.name if organisation else "",
        address=organisation.address if organisation else "",
        departement=organisation.departement if organisation else "",
    )


def problems(password: str, user_inputs=(), *, field: str = "password") -> list[str]:
    """French reasons why `password` is refused; `user_inputs` is rules.context_words's
    {word: label}, or a plain list of the user's identifiers."""
    labels = rules.labelled(user_inputs)
    if len(password) > rules.MAX_PASSWORD_LENGTH:  # not worth scoring: refused whatever it is
        return rules.password_problems(password, score=None, user_inputs=labels, field=field)
    # zxcvbn refuses more than 72 characters (its matching grows with the square of the length);
    # a longer passphrase is scored on its first 72, which alone make it strong or not.
    scored = password[: rules.SCORED_LENGTH]
    zxcvbn, dictionaries = _estimator()
    with _ZXCVBN_LOCK:  # zxcvbn keeps the user inputs in a module global for the call
        result = zxcvbn(scored, user_inputs=list(labels))

    def known(word: str) -> bool:
        return len(word) >= 2 and (
            word in labels or any(word in ranked for ranked in dictionaries.values())
        )

    return rules.password_problems(
        password,
        score=result["score"],
        user_inputs=labels,
        sequence=result["sequence"],
        is_decorated_word=rules.decorated_words(scored, known),
        field=field,
    )
