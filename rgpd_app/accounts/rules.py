"""Account rules of the annex §1: roles, separation of duties, passwords, lockout. Pure."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

ADMIN = "admin"
PROCESSOR_DPO = "processor_dpo"
SECURITY_OFFICER = "security_officer"
SUPPORT = "support"
CONTROLLER_DPO = "controller_dpo"
INSTRUCTOR = "instructor"
AUDITOR = "auditor"

PROCESSOR_ROLES = (ADMIN, PROCESSOR_DPO, SECURITY_OFFICER, SUPPORT)
CONTROLLER_ROLES = (CONTROLLER_DPO, INSTRUCTOR)
ALL_ROLES = (*PROCESSOR_ROLES, *CONTROLLER_ROLES, AUDITOR)

ROLE_LABELS = {
    ADMIN: "Administrateur",
    PROCESSOR_DPO: "DPO du sous-traitant",
    SECURITY_OFFICER: "Responsable sécurité",
    SUPPORT: "Agent support",
    CONTROLLER_DPO: "DPO de la collectivité",
    INSTRUCTOR: "Donneur d'instructions habilité",
    AUDITOR: "Auditeur",
}

# Pairs of roles one person may not hold together (annex §1: key roles are not cumulated).
INCOMPATIBLE = {
    frozenset({ADMIN, PROCESSOR_DPO}),
    frozenset({ADMIN, SECURITY_OFFICER}),
}

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (guessable) .. 4 (very unguessable)


def requires_totp(roles: set[str]) -> bool:
    """Two-factor authentication is mandatory for administrators and processor roles (annex §1)."""
    return bool(roles & set(PROCESSOR_ROLES))


def role_conflicts(current: set[str], new_role: str) -> list[str]:
    """French reasons why `new_role` cannot be added to someone holding `current` (annex §1)."""
    reasons = []
    if new_role == AUDITOR and current - {AUDITOR}:
        reasons.append("Un auditeur ne peut détenir aucun autre rôle.")
    if new_role != AUDITOR and AUDITOR in current:
        reasons.append("Un auditeur ne peut détenir aucun autre rôle.")
    for role in current:
        if frozenset({role, new_role}) in INCOMPATIBLE:
            reasons.append(
                f"Les rôles « {ROLE_LABELS[role]} » et « {ROLE_LABELS[new_role]} » "
                "ne peuvent pas être cumulés par une même personne."
            )
    return reasons


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
        return [f"Rôle inconnu : {role}."]
    if granter_id == target_id:
        return ["Personne ne peut s'attribuer ou se retirer ses propres droits."]
    reasons = []
    if role in PROCESSOR_ROLES:
        if ADMIN not in granter_roles:
            reasons.append("Seul un administrateur attribue les rôles du sous-traitant.")
        if not target_is_processor:
            reasons.append("Ce rôle est réservé aux comptes du sous-traitant.")
    elif role in CONTROLLER_ROLES:
        if target_is_processor:
            reasons.append("Ce rôle est réservé aux comptes d'une collectivité.")
        manages_own = CONTROLLER_DPO in granter_roles and granter_org_id == target_org_id
        if not (ADMIN in granter_roles or manages_own):
            reasons.append(
                "Seul un administrateur ou le DPO de la collectivité gère les comptes de celle-ci."
            )
    elif role == AUDITOR:
        if not (ADMIN in granter_roles or PROCESSOR_DPO in granter_roles):
            reasons.append(
                "Seul un administrateur ou le DPO du sous-traitant habilite un auditeur."
            )
    return reasons


def password_problems(password: str, *, score: int | None, user_inputs=()) -> list[str]:
    """French reasons why a password is refused (annex §1; CNIL délibération 2022-100)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères.")
    if score is not None and score < MIN_PASSWORD_SCORE:
        problems.append(
            "Ce mot de passe est trop courant ou trop facile à deviner : "
            "choisissez une phrase de passe plus longue et moins prévisible."
        )
    lowered = password.lower()
    for item in user_inputs:
        if item and len(item) >= 4 and item.lower() in lowered:
            problems.append("Le mot de passe ne doit pas contenir votre identifiant ou votre nom.")
            break
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
