"""The life of an audit: states, actions and the transitions the contract allows (annex 4.6)."""

from datetime import date, datetime
from enum import StrEnum

from audit.errors import AuditRuleError
from deadlines import Deadline, format_day_fr
from deadlines.instants import require_aware


class AuditState(StrEnum):
    """Where an audit stands (annex art. 4.6)."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    IN_PROGRESS = "in_progress"
    REPORT_RECEIVED = "report_received"
    OBSERVATIONS_SENT = "observations_sent"
    CORRECTIVE_PLAN = "corrective_plan"
    CONTESTED = "contested"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AuditAction(StrEnum):
    """What either party does to an audit (annex art. 4.6)."""

    ACCEPT = "accept"
    ACCEPT_BY_SILENCE = "accept_by_silence"
    REFUSE = "refuse"
    ACCEPT_EXTERNAL_FIRM = "accept_external_firm"
    DECLINE_EXTERNAL_FIRM = "decline_external_firm"
    CANCEL = "cancel"
    START = "start"
    RECEIVE_REPORT = "receive_report"
    SEND_OBSERVATIONS = "send_observations"
    REQUIRE_CORRECTIVE_PLAN = "require_corrective_plan"
    CONTEST_REPORT = "contest_report"
    CLOSE = "close"


STATE_LABELS: dict[AuditState, str] = {
    AuditState.REQUESTED: "demandé",
    AuditState.ACCEPTED: "accepté",
    AuditState.REFUSED: "auditeur refusé",
    AuditState.IN_PROGRESS: "en cours",
    AuditState.REPORT_RECEIVED: "rapport reçu",
    AuditState.OBSERVATIONS_SENT: "observations envoyées",
    AuditState.CORRECTIVE_PLAN: "plan de mesures correctives",
    AuditState.CONTESTED: "rapport contesté",
    AuditState.CLOSED: "clos",
    AuditState.CANCELLED: "annulé",
}

ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.ACCEPT: "accepter l'audit",
    AuditAction.ACCEPT_BY_SILENCE: "constater l'acceptation tacite",
    AuditAction.REFUSE: "refuser l'auditeur",
    AuditAction.ACCEPT_EXTERNAL_FIRM: "accepter le cabinet externe proposé",
    AuditAction.DECLINE_EXTERNAL_FIRM: "décliner le cabinet externe proposé",
    AuditAction.CANCEL: "annuler l'audit",
    AuditAction.START: "commencer l'audit",
    AuditAction.RECEIVE_REPORT: "enregistrer la réception du rapport",
    AuditAction.SEND_OBSERVATIONS: "envoyer les observations",
    AuditAction.REQUIRE_CORRECTIVE_PLAN: "ouvrir un plan de mesures correctives",
    AuditAction.CONTEST_REPORT: "contester le rapport",
    AuditAction.CLOSE: "clore l'audit",
}

_S, _A = AuditState, AuditAction
TRANSITIONS: dict[tuple[AuditState, AuditAction], AuditState] = {
    (_S.REQUESTED, _A.ACCEPT): _S.ACCEPTED,
    (_S.REQUESTED, _A.ACCEPT_BY_SILENCE): _S.ACCEPTED,
    (_S.REQUESTED, _A.REFUSE): _S.REFUSED,
    (_S.REQUESTED, _A.CANCEL): _S.CANCELLED,
    (_S.REFUSED, _A.ACCEPT_EXTERNAL_FIRM): _S.ACCEPTED,
    (_S.REFUSED, _A.DECLINE_EXTERNAL_FIRM): _S.CLOSED,
    (_S.REFUSED, _A.CANCEL): _S.CANCELLED,
    (_S.ACCEPTED, _A.START): _S.IN_PROGRESS,
    (_S.ACCEPTED, _A.CANCEL): _S.CANCELLED,
    (_S.IN_PROGRESS, _A.RECEIVE_REPORT): _S.REPORT_RECEIVED,
    (_S.REPORT_RECEIVED, _A.SEND_OBSERVATIONS): _S.OBSERVATIONS_SENT,
    (_S.REPORT_RECEIVED, _A.CONTEST_REPORT): _S.CONTESTED,
    (_S.OBSERVATIONS_SENT, _A.CONTEST_REPORT): _S.CONTESTED,
    (_S.OBSERVATIONS_SENT, _A.REQUIRE_CORRECTIVE_PLAN): _S.CORRECTIVE_PLAN,
    (_S.OBSERVATIONS_SENT, _A.CLOSE): _S.CLOSED,
    (_S.CORRECTIVE_PLAN, _A.CLOSE): _S.CLOSED,
}


def allowed_actions(state: AuditState | str) -> tuple[AuditAction, ...]:
    """Actions the contract allows from ``state`` (annex art. 4.6)."""
    current = _state(state)
    return tuple(action for (origin, action) in TRANSITIONS if origin == current)


def due_silent_acceptance(
    state: AuditState | str, refusal_deadline: Deadline, now: datetime
) -> bool:
    """True once the refusal window has closed on a pending audit (annex art. 4.6; CPC 642)."""
    return _state(state) is AuditState.REQUESTED and refusal_deadline.is_closed(
        require_aware(now, field="now")
    )


def transition(
    state: AuditState | str,
    action: AuditAction | str,
    *,
    now: datetime,
    refusal_deadline: Deadline | None = None,
    reason: str | None = None,
    firm: str | None = None,
    open_measures: int | None = None,
) -> AuditState:
    """The state after ``action``, or AuditRuleError when the contract forbids it (art. 4.6)."""
    current, wanted = _state(state), _action(action)
    require_aware(now, field="now")
    target = TRANSITIONS.get((current, wanted))
    if target is None:
        possible = ", ".join(f"« {ACTION_LABELS[a]} »" for a in allowed_actions(current))
        raise AuditRuleError(
            "illegal_transition",
            f"Action « {ACTION_LABELS[wanted]} » impossible : l'audit est à l'état "
            f"« {STATE_LABELS[current]} ». Actions possibles : {possible or 'aucune'}.",
            field="action",
        )
    if wanted is AuditAction.ACCEPT_BY_SILENCE:
        window = _required_window(refusal_deadline)
        if not window.is_closed(now):
            raise AuditRuleError(
                "refusal_window_open",
                f"Le sous-traitant peut encore refuser l'auditeur jusqu'au "
                f"{format_day_fr(_day(window))} à 24:00 (heure de Paris) : l'acceptation "
                "tacite n'est pas encore acquise.",
                field="action",
            )
    elif wanted is AuditAction.REFUSE:
        window = _required_window(refusal_deadline)
        if window.is_closed(now):
            raise AuditRuleError(
                "refusal_window_closed",
                f"Refus impossible : le délai pour refuser l'auditeur a expiré le "
                f"{format_day_fr(_day(window))} à 24:00 (heure de Paris).",
                field="action",
            )
        if reason is None or not reason.strip():
            raise AuditRuleError(
                "refusal_reason_missing",
                "Le refus de l'auditeur doit être motivé par une raison légitime.",
                field="reason",
            )
    elif wanted is AuditAction.ACCEPT_EXTERNAL_FIRM:
        if firm is None or not firm.strip():
            raise AuditRuleError(
                "external_firm_missing",
                "Indiquez le cabinet externe proposé par le sous-traitant.",
                field="firm",
            )
    elif wanted is AuditAction.CLOSE and current is AuditState.CORRECTIVE_PLAN:
        if open_measures != 0:
            left = "non indiqué" if open_measures is None else str(open_measures)
            raise AuditRuleError(
                "measures_open",
                "L'audit ne peut être clos qu'une fois toutes les mesures correctives "
                f"réalisées (mesures restantes : {left}).",
                field="open_measures",
            )
    return target


def _state(value: AuditState | str) -> AuditState:
    try:
        return AuditState(value)
    except ValueError:
        raise AuditRuleError(
            "unknown_state", f"État d'audit inconnu : « {value} ».", field="state"
        ) from None


def _action(value: AuditAction | str) -> AuditAction:
    try:
        return AuditAction(value)
    except ValueError:
        raise AuditRuleError(
            "unknown_action", f"Action d'audit inconnue : « {value} ».", field="action"
        ) from None


def _required_window(refusal_deadline: Deadline | None) -> Deadline:
    if refusal_deadline is None:
        raise AuditRuleError(
            "refusal_deadline_missing",
            "Le délai de refus de l'auditeur est nécessaire pour cette action.",
            field="refusal_deadline",
        )
    return refusal_deadline


def _day(deadline: Deadline) -> date:
    day = deadline.deadline
    return day.date() if isinstance(day, datetime) else day
