"""Account rules of the annex §1: roles, separation of duties, passwords, lockout. Pure."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rgpd_app.foundation.roles import (
    ADMIN,
    ALL_ROLES,
    AUDITOR,
    CONTROLLER_DPO,
    CONTROLLER_ROLES,
    PROCESSOR_DPO,
    PROCESSOR_ROLES,
    ROLE_LABELS,
    SECURITY_OFFICER,
)
from rgpd_app.messages import N_

# Who manages accounts: an administrator every account, a municipality's DPO its own (annex §1).
ACCOUNT_MANAGERS = (ADMIN, CONTROLLER_DPO)

# Pairs of roles one person may not hold together (annex §1: key roles are not cumulated).
INCOMPATIBLE = {
    frozenset({ADMIN, PROCESSOR_DPO}),
    frozenset({ADMIN, SECURITY_OFFICER}),
}


def requires_totp(roles: set[str]) -> bool:
    """Two-factor authentication is mandatory for administrators and processor roles (annex §1)."""
    return bool(roles & set(PROCESSOR_ROLES))


def role_conflicts(current: set[str], new_role: str) -> list[str]:
    """French reasons why `new_role` cannot be added to someone holding `current` (annex §1)."""
    reasons = []
    if new_role == AUDITOR and current - {AUDITOR}:
        reasons.append(N_("Un auditeur ne peut détenir aucun autre rôle."))
    if new_role != AUDITOR and AUDITOR in current:
        reasons.append(N_("Un auditeur ne peut détenir aucun autre rôle."))
    for role in current:
        if frozenset({role, new_role}) in INCOMPATIBLE:
            reasons.append(
                N_(
                    "Les rôles « %(role)s » et « %(new_role)s » ne peuvent pas être cumulés par "
                    "une même personne.",
                    role=ROLE_LABELS[role],
                    new_role=ROLE_LABELS[new_role],
                )
            )
    return reasons


def periods_overlap(a_from: date | None, a_until: date | None, b_from, b_until) -> bool:
    """Whether two grant periods share a day; a missing bound is open (annex §1: roles held
    together are the roles held on the same day)."""
    return (a_from is None or b_until is None or a_from <= b_until) and (
        b_from is None or a_until is None or b_from <= a_until
    )


def grant_refusals(
    *,
    granter_id: int,
    granter_roles: set[str],
    granter_org_id: int,
    granter_is_processor: bool,
    target_id: int,
    target_org_id: int,
    target_is_processor: bool,
    role: str,
) -> list[str]:
    """Why the granter may not give (or remove) `role` to the target; empty when allowed."""
    if role not in ALL_ROLES:
        return [N_("Rôle inconnu : %(role)s.", role=role)]
    if granter_id == target_id:
        return [N_("Personne ne peut s'attribuer ou se retirer ses propres droits.")]
    reasons = []
    if role in PROCESSOR_ROLES:
        if ADMIN not in granter_roles:
            reasons.append(N_("Seul un administrateur attribue les rôles du sous-traitant."))
        if not target_is_processor:
            reasons.append(N_("Ce rôle est réservé aux comptes du sous-traitant."))
    elif role in CONTROLLER_ROLES:
        if target_is_processor:
            reasons.append(N_("Ce rôle est réservé aux comptes d'une collectivité."))
        manages_own = CONTROLLER_DPO in granter_roles and granter_org_id == target_org_id
        if not (ADMIN in granter_roles or manages_own):
            reasons.append(
                N_(
                    "Seul un administrateur ou le DPO de la collectivité gère les comptes de "
                    "celle-ci."
                )
            )
    elif role == AUDITOR:
        if not (ADMIN in granter_roles or PROCESSOR_DPO in granter_roles):
            reasons.append(
                N_("Seul un administrateur ou le DPO du sous-traitant habilite un auditeur.")
            )
    return reasons


# Passwords (annex §1; CNIL délibération 2022-100; OWASP ASVS 5.0 V6.2).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # a long passphrase is welcome (ASVS 6.2.9: at least 64 allowed)
SCORED_LENGTH = 72  # zxcvbn scores at most 72 characters; the rest cannot make it weaker
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (guessable) .. 4 (very unguessable)
FRENCH_DICTIONARY = "french"  # the name zxcvbn knows the French word list by

DEFAULT_LABEL = "votre identifiant ou votre nom"
NAME = "votre nom"
EMAIL = "votre adresse électronique"
TOWN = "le nom de votre commune"
ORGANISATION = "le nom de votre organisation"
DOMAIN = "le domaine de votre adresse électronique"
PLACE_CODE = "le code postal ou le numéro du département de votre commune"
SERVICE = "un mot lié à ce service"
# Context a password may not contain at all (ASVS 6.2.11); the others only weigh on the score.
_FORBIDDEN = {DEFAULT_LABEL, NAME, EMAIL, TOWN}

# What an attacker tries first against a municipal RGPD service (ASVS 6.2.11).
SERVICE_WORDS = (
    "rgpd", "rgpdapp", "cnil", "dpo", "mairie", "commune", "collectivite", "collectivité",
    "administrateur", "admin", "motdepasse", "mdp", "soustraitant", "sous-traitant", "registre",
    "azerty", "bienvenue",
)  # fmt: skip
# Words of place names too common to tell a town (Saint-, -sur-, -lès-…).
_PLACE_FILLERS = {
    "de", "des", "du", "la", "le", "les", "lès", "lez", "sur", "sous", "en", "et", "aux",
    "saint", "sainte", "st", "ste", "commune", "mairie", "ville", "communauté", "communes",
}  # fmt: skip
_DOMAIN_FILLERS = {"fr", "com", "org", "net", "eu", "gouv", "www", "mail", "example"}
_TOWN_IN_NAME = re.compile(
    r"^(?:commune|mairie|ville|cité)\s+(?:de\s+la\s+|de\s+l'|d'|de\s+|du\s+|des\s+)?(.+)$",
    re.IGNORECASE,
)
_TOWN_IN_ADDRESS = re.compile(r"\b\d{5}\s+([^,\d][^,]*)$")

_WORD_KINDS = {
    FRENCH_DICTIONARY: "mot français courant",
    "passwords": "mot de passe parmi les plus répandus",
    "english_wikipedia": "mot anglais courant",
    "us_tv_and_film": "mot anglais courant",
    "surnames": "nom de famille courant",
    "male_names": "prénom courant",
    "female_names": "prénom courant",
}
_YEAR_AFTER = re.compile(r"[\W_]*(?:19|20)\d\d(?!\d)")
_DIGITS_AFTER = re.compile(r"[\W_]*\d")


def fold(text: str) -> str:
    """Lower case without accents: « Montigny-lès-Metz » and « montigny-les-metz » are one."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", text.lower()) if w]


def town_of(organisation_name: str, address: str = "") -> str:
    """The town of an organisation: after the postal code of its address, or its name's
    « Commune de … »; empty when neither tells."""
    found = _TOWN_IN_ADDRESS.search((address or "").strip())
    if found:
        return found.group(1).strip()
    found = _TOWN_IN_NAME.match((organisation_name or "").strip())
    return found.group(1).strip() if found else ""


def context_words(
    *, name="", email="", organisation_name="", address="", departement=""
) -> dict[str, str]:
    """The words about a user that a guesser tries first, each with what it is, most telling
    first (zxcvbn ranks them in that order): ASVS 6.2.11 context-specific words."""
    local, _, domain = (email or "").lower().partition("@")
    town = town_of(organisation_name, address)
    postal = re.findall(r"\b\d{5}\b", address or "")
    groups = [
        (NAME, [name.lower(), *_words(name)]),
        (EMAIL, [local, *_words(local)]),
        (TOWN, [town.lower(), *(w for w in _words(town) if w not in _PLACE_FILLERS)]),
        (ORGANISATION, [(organisation_name or "").lower(), *_words(organisation_name or "")]),
        (DOMAIN, [domain, *(w for w in _words(domain) if w not in _DOMAIN_FILLERS)]),
        (PLACE_CODE, [*postal, departement or ""]),
        (SERVICE, list(SERVICE_WORDS)),
    ]
    labels: dict[str, str] = {}
    for label, words in groups:
        for word in words:
            word = word.strip()
            for form in (word, fold(word), re.sub(r"[\W_]+", "", fold(word))):
                if len(form) >= 2 and form not in _PLACE_FILLERS:
                    labels.setdefault(form, label)
    return labels


def labelled(user_inputs) -> dict[str, str]:
    """{word: label} from context_words, or from a plain list of the user's identifiers."""
    if isinstance(user_inputs, dict):
        return user_inputs
    return {w.lower(): DEFAULT_LABEL for w in user_inputs if w}


_FIELD_LABELS = {
    "new_password": "Le nouveau mot de passe",
    "current_password": "Le mot de passe actuel",
    "confirm_password": "La confirmation du mot de passe",
}


def too_long_message(field: str) -> str:
    """The refusal of a password over 1,024 characters, naming its field (ASVS 5.0 6.2.9)."""
    limit = f"{MAX_PASSWORD_LENGTH:,}".replace(",", "\N{NO-BREAK SPACE}")
    label = _FIELD_LABELS.get(field, "Le mot de passe")
    return f"{label} ne doit pas dépasser {limit} caractères."


_L33T = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_YEARS = re.compile(r"(?:19|20)\d\d")
_LETTERS = re.compile(r"[^\W\d_]+")


def _unleet(text: str) -> str:
    # Only between two letters: « Dup0nt » is « Dupont », the year of « Soleil2026 » stays.
    chars = list(text)
    for k in range(1, len(chars) - 1):
        if chars[k] in _L33T and chars[k - 1].isalpha() and chars[k + 1].isalpha():
            chars[k] = _L33T[chars[k]]
    return "".join(chars)


def _camel_parts(run: str) -> list[str]:
    parts = [run[0]]
    for prev, char in zip(run, run[1:], strict=False):
        if prev.islower() and char.isupper():
            parts.append("")
        parts[-1] += char
    return parts


def decorated_words(password: str, known) -> bool:
    """Whether a password is one or two known words (`known(folded_word)`) only decorated with a
    year, a few digits or symbols — « Soleil2026! », « Mairie57!! », « JeanDupont1975# »: the
    first rules of any cracking tool, which zxcvbn still scores 3 (ASVS 5.0 6.2.11)."""
    text = _unleet(password)
    words = set()
    for run in _LETTERS.findall(text):
        parts = [run] if known(fold(run)) else _camel_parts(run)
        if not all(known(fold(part)) for part in parts):
            return False
        words.update(fold(part) for part in parts)
    # Years, known numbers (the postal code), runs (123, 987) and repeats (!!!) cost a guesser
    # nothing either.
    rest = _YEARS.sub(" ", _LETTERS.sub(" ", text))
    rest = re.sub(r"\d+", lambda m: "" if known(m[0]) or _is_run(m[0]) else m[0], rest)
    decoration = re.sub(r"(.)\1+", r"\1", "".join(rest.split()))
    return 0 < len(words) <= 2 and len(decoration) <= 5


def _is_run(digits: str) -> bool:
    steps = {int(b) - int(a) for a, b in zip(digits, digits[1:], strict=False)}
    return len(digits) >= 3 and len(steps) == 1 and steps <= {-1, 0, 1}


def guessability_reasons(password: str, sequence, labels: dict[str, str]) -> list[str]:
    """Why zxcvbn finds a password guessable, in French, from its match sequence."""
    reasons = []
    for match in sequence:
        pattern = match["pattern"]
        after = password[match["j"] + 1 :]
        if pattern == "dictionary" and match["dictionary_name"] == "user_inputs":
            reason = f"il contient {labels.get(match['matched_word'], DEFAULT_LABEL)}"
        elif pattern == "dictionary":
            kind = _WORD_KINDS.get(match["dictionary_name"], "mot courant")
            if _YEAR_AFTER.match(after):
                reason = f"{kind} suivi d'une année"
            elif _DIGITS_AFTER.match(after):
                reason = f"{kind} suivi de chiffres"
            else:
                reason = f"il contient un {kind}"
            if match.get("l33t"):
                reason += ", même avec des chiffres ou symboles pour des lettres"
            if match.get("reversed"):
                reason += ", même écrit à l'envers"
        elif pattern == "spatial":
            reason = "touches voisines du clavier"
        elif pattern == "repeat":
            reason = "caractères ou motifs répétés"
        elif pattern == "sequence":
            reason = "suite logique (abcd, 1234…)"
        elif pattern in ("date", "regex") and not any("année" in r for r in reasons):
            reason = "il contient une date ou une année"
        else:
            continue
        if reason not in reasons:
            reasons.append(reason)
    return reasons


def password_problems(
    password: str,
    *,
    score: int | None,
    user_inputs=(),
    sequence=(),
    is_decorated_word: bool = False,
    field: str = "password",
) -> list[str]:
    """French reasons why a password is refused (annex §1; CNIL délibération 2022-100; ASVS 5.0
    6.2.1, 6.2.9, 6.2.11, 6.2.12). `score` and `sequence` are zxcvbn's, on the first 72
    characters."""
    labels = labelled(user_inputs)
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            N_("Le mot de passe doit contenir au moins %(n)s caractères.", n=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(too_long_message(field))
    folded = fold(password)
    compact = re.sub(r"[\W_]+", "", folded)
    forbidden = []
    for word, label in labels.items():
        if label in _FORBIDDEN and len(word) >= 4 and label not in forbidden:
            if fold(word) in folded or (word.isalnum() and fold(word) in compact):
                forbidden.append(label)
    problems += [f"Le mot de passe ne doit pas contenir {label}." for label in forbidden]
    if is_decorated_word or (score is not None and score < MIN_PASSWORD_SCORE):
        reasons = [
            r for r in guessability_reasons(password, sequence, labels)
            if not any(label in r for label in forbidden)
        ][:3]  # fmt: skip
        if is_decorated_word and not reasons:
            reasons = ["un ou deux mots courants ornés seulement de chiffres ou de symboles"]
        why = f" ({' ; '.join(reasons)})" if reasons else ""
        problems.append(
            f"Ce mot de passe est trop courant ou trop facile à deviner{why} : "
            "choisissez une phrase de passe plus longue et moins prévisible."
        )
    return problems


@dataclass(frozen=True)
class ChangeAllowance:
    allowed: bool
    count_today: int


def password_change_allowance(
    *, changes_on: date | None, count: int, today: date, max_per_day: int, by_admin: bool
) -> ChangeAllowance:
    """At most `max_per_day` changes per calendar day except by an administrator (annex §1)."""
    count_today = count if changes_on == today else 0
    if by_admin:
        return ChangeAllowance(True, count_today)
    return ChangeAllowance(count_today < max_per_day, count_today)


def password_expired(*, changed_at: datetime, now: datetime, renewal_required: bool) -> bool:
    """Yearly renewal when the organisation's policy asks for it (annex §1)."""
    return renewal_required and now - changed_at >= timedelta(days=365)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Whether a lockout is still running at `now`."""
    return locked_until is not None and now < locked_until


def after_failure(failures: int, now: datetime, *, max_failures: int, lock_minutes: int):
    """New failure count and lock end after one more failed login (annex §1)."""
    failures += 1
    if failures >= max_failures:
        return 0, now + timedelta(minutes=lock_minutes)
    return failures, None
