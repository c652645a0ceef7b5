"""Instruction states, who may do what, and which instruction is in force. Pure.

Sources: GDPR art. 28(3)(a) and art. 28(3) last paragraph; annex art. 1.2, 3.2 and 4.1.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rgpd_app.foundation import roles
from rgpd_app.messages import N_

GIVEN = "given"
ACKNOWLEDGED = "acknowledged"
SUSPENDED = "suspended"
CONFIRMED = "confirmed"
WITHDRAWN = "withdrawn"
APPLIED = "applied"

STATE_LABELS = {
    GIVEN: "Donnée, en attente d'accusé de réception",
    ACKNOWLEDGED: "Reçue par le sous-traitant",
    SUSPENDED: "Suspendue (semble contraire à la réglementation)",
    CONFIRMED: "Confirmée par écrit par la collectivité",
    WITHDRAWN: "Retirée",
    APPLIED: "Appliquée",
}

# Who does what (least privilege, annex §1). The administrator has no access.
GIVERS = (roles.INSTRUCTOR, roles.CONTROLLER_DPO)
HANDLERS = (roles.PROCESSOR_DPO,)
READERS = (*GIVERS, roles.PROCESSOR_DPO, roles.SUPPORT, roles.AUDITOR)

# The processor carries these out (a suspended one waits for the municipality's confirmation).
CARRIED = (GIVEN, ACKNOWLEDGED, CONFIRMED, APPLIED)

ACKNOWLEDGE, FLAG, CONFIRM, WITHDRAW, REFER, APPLY, EDIT, SUPERSEDE = (
    "acknowledge",
    "flag",
    "confirm",
    "withdraw",
    "refer",
    "apply",
    "edit",
    "supersede",
)

_FROM = {
    ACKNOWLEDGE: (GIVEN,),
    FLAG: (GIVEN, ACKNOWLEDGED),
    CONFIRM: (SUSPENDED,),
    WITHDRAW: (GIVEN, ACKNOWLEDGED, SUSPENDED, CONFIRMED, APPLIED),
    APPLY: (ACKNOWLEDGED, CONFIRMED),
    EDIT: (GIVEN,),
    SUPERSEDE: (GIVEN, ACKNOWLEDGED, SUSPENDED, CONFIRMED, APPLIED),
}

_REFUSALS = {
    (APPLY, SUSPENDED): (
        "instruction_suspended",
        N_(
            "Cette instruction est suspendue : elle semble contraire à la réglementation sur la "
            "protection des données et ne peut pas être appliquée tant que la collectivité ne l'a "
            "pas confirmée par écrit."
        ),
    ),
    (APPLY, GIVEN): (
        "not_acknowledged",
        N_("Accusez d'abord réception de l'instruction avant de la marquer appliquée."),
    ),
    (EDIT, None): (
        "instruction_locked",
        N_(
            "Une instruction n'est plus modifiable une fois reçue par le sous-traitant : donnez "
            "une "
            "nouvelle instruction qui la remplace."
        ),
    ),
    (CONFIRM, None): (
        "not_suspended",
        N_("Seule une instruction suspendue par le sous-traitant se confirme par écrit."),
    ),
    (SUPERSEDE, None): (
        "not_replaceable",
        N_("Une instruction retirée ne peut pas être remplacée."),
    ),
}


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def refusal(action: str, state: str) -> Refusal | None:
    """Why `action` is impossible in `state` (None when allowed)."""
    if state in _FROM.get(action, ()):
        return None
    found = _REFUSALS.get((action, state)) or _REFUSALS.get((action, None))
    if found:
        return Refusal(*found)
    label = STATE_LABELS.get(state, state)
    return Refusal(
        "bad_state", N_("Action impossible : l'instruction est « %(label)s ».", label=label)
    )


def allowed_actions(state: str) -> set[str]:
    return {action for action, states in _FROM.items() if state in states}


def can_refer_to_cnil(flagged: bool, referred_on: date | None) -> Refusal | None:
    """The disagreement goes to the CNIL only once the processor has raised it (annex art. 3.2)."""
    if not flagged:
        return Refusal(
            "not_flagged",
            N_("Seul un désaccord signalé par le sous-traitant peut être porté devant la CNIL."),
        )
    if referred_on is not None:
        return Refusal("already_referred", N_("La saisine de la CNIL est déjà enregistrée."))
    return None


@dataclass(frozen=True)
class Facts:
    """What decides whether an instruction is in force."""

    id: int
    state: str
    effective_on: date
    supersedes_id: int | None = None


def is_carried(item: Facts, today: date) -> bool:
    return item.state in CARRIED and item.effective_on <= today


def in_force(linked: Iterable[Facts], successors: Iterable[Facts], today: date) -> Facts | None:
    """The instruction in force for one processing at `today` (art. 28(3)(a)).

    `linked` are the instructions concerning the processing, `successors` every instruction
    replacing one of them. An instruction stops being in force once a later one replacing it
    is carried out (taken effect, not suspended nor withdrawn); among the rest the latest to
    take effect wins. A suspended or withdrawn correction leaves the previous one in force.
    """
    replaced = {s.supersedes_id for s in successors if s.supersedes_id and is_carried(s, today)}
    live = [i for i in linked if is_carried(i, today) and i.id not in replaced]
    return max(live, key=lambda i: (i.effective_on, i.id), default=None)
