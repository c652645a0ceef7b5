"""Rules of the sub-processor change notices (annex 4.2, 4.4; DESIGN §3). Pure."""

from collections.abc import Mapping
from datetime import date, datetime

from deadlines import Calendar, Deadline, days_after, format_day_fr
from rgpd_app.messages import N_

ADDITION, REPLACEMENT = "addition", "replacement"
KINDS = {ADDITION: "Ajout", REPLACEMENT: "Remplacement"}
SCOPE_ALL, SCOPE_ACTIVITY = "all", "activity"
SCOPES = {
    SCOPE_ALL: "Toutes les collectivités",
    SCOPE_ACTIVITY: "Les collectivités dont un traitement utilise l'activité",
}

# A recipient's states.
AWAITING_RECEIPT = "awaiting_receipt"  # sent, the mail server has not accepted it yet
OPEN = "open"  # window running
OBJECTED = "objected"
APPROVED = "approved"  # explicit written approval
ACCEPTED_BY_SILENCE = "accepted_by_silence"
NOT_AUTHORISED = "not_authorised"  # silence on a transfer outside the EU/EEA
RESOLVED = "resolved"  # objection handled, outcome recorded
STATES = {
    AWAITING_RECEIPT: "En attente de réception",
    OPEN: "Délai d'objection en cours",
    OBJECTED: "Objection formulée",
    APPROVED: "Approuvé par écrit",
    ACCEPTED_BY_SILENCE: "Accepté tacitement",
    NOT_AUTHORISED: "Non autorisé (accord écrit requis)",
    RESOLVED: "Objection traitée",
}
BEFORE_CLOSE = (AWAITING_RECEIPT, OPEN)
RECEIPT_EDITABLE = (AWAITING_RECEIPT, OPEN, ACCEPTED_BY_SILENCE, NOT_AUTHORISED)
APPROVABLE = (AWAITING_RECEIPT, OPEN, NOT_AUTHORISED)

OUTCOMES = {
    "withdrawn": "Changement retiré",
    "alternative_offered": "Solution alternative proposée",
    "agreement_reached": "Accord trouvé",
    "contract_terminated": "Contrat résilié",
}

REMINDER_WORKING_DAYS = 2


def missing_elements(notice: Mapping) -> dict[str, list[str]]:
    """What annex 4.4 requires and the notice lacks: every element at once, by field.

    `notice` holds the notice's values plus `subprocessor` (a mapping or None),
    `replaced_id`, `municipalities` (the names of the affected ones) and `without_email`.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    sub = notice.get("subprocessor")
    if notice.get("kind") not in KINDS:
        add("kind", N_("Précisez s'il s'agit d'un ajout ou d'un remplacement."))
    if notice.get("kind") == REPLACEMENT:
        if not notice.get("replaced_id"):
            add("replaced_id", N_("Indiquez le sous-traitant remplacé."))
        elif sub and notice["replaced_id"] == sub.get("id"):
            add("replaced_id", N_("Le sous-traitant remplacé doit être différent du nouveau."))
    if not sub:
        add("subprocessor_id", N_("Indiquez le sous-traitant ultérieur."))
    else:
        if not (sub.get("legal_name") or "").strip():
            add("subprocessor_id", N_("La raison sociale du sous-traitant manque."))
        if not (sub.get("address") or "").strip():
            add("subprocessor_id", N_("L'adresse du sous-traitant manque (fiche du catalogue)."))
        if not (sub.get("contact") or "").strip():
            add(
                "subprocessor_id",
                N_("Les coordonnées du sous-traitant manquent (fiche du catalogue)."),
            )
        if sub.get("is_outside_eea") and not sub.get("transfer_mechanism"):
            add(
                "subprocessor_id",
                N_("Transfert hors UE/EEE : le mécanisme de transfert manque (annexe 4.2)."),
            )
    if not notice.get("activities"):
        add("activities", N_("Indiquez les activités sous-traitées."))
    if not notice.get("contract_start_on"):
        add("contract_start_on", N_("Indiquez la date de début du contrat."))
    if not notice.get("contract_end_on"):
        add("contract_end_on", N_("Indiquez la date de fin du contrat."))
    start, end = notice.get("contract_start_on"), notice.get("contract_end_on")
    if start and end and end < start:
        add("contract_end_on", N_("La fin du contrat précède son début."))
    if not notice.get("municipalities"):
        add("scope", N_("Aucune collectivité concernée : rien à envoyer."))
    for name in notice.get("without_email") or []:
        add("scope", N_("%(name)s n'a pas d'adresse e-mail de DPO.", name=name))
    return errors


def window(received_on: date, days: int, calendar: Calendar) -> Deadline:
    """The objection window: `days` from receipt, CPC art. 641-642 (annex 4.4; DESIGN §3)."""
    return days_after(received_on, days, calendar)


def reminder_day(last_day: date, calendar: Calendar) -> date:
    """The working day two working days before the window's last day (reminder e-mail)."""
    day = last_day
    for _ in range(REMINDER_WORKING_DAYS):
        day = calendar.previous_working_day(day)
    return day


def is_reminder_due(
    state: str, reminder_sent: bool, last_day: date | None, today: date, calendar: Calendar
) -> bool:
    """Once, from two working days before the end, while the municipality has not answered."""
    if state != OPEN or reminder_sent or last_day is None:
        return False
    return reminder_day(last_day, calendar) <= today <= last_day


def state_after_silence(is_transfer_outside_eea: bool) -> str:
    """Silence accepts the change, but is never consent to a transfer outside the EU/EEA."""
    return NOT_AUTHORISED if is_transfer_outside_eea else ACCEPTED_BY_SILENCE


def closed_text(last_day: date) -> str:
    """When a window closed, in French (24:00 Paris on its last day, CPC art. 642)."""
    return f"le {format_day_fr(last_day)} à 24:00 (heure de Paris)"


def objection_refusal(state: str, closes_at: datetime | None, last_day, now: datetime) -> str:
    """Why an objection cannot be recorded now, or "" when it can."""
    if state == APPROVED:
        return N_("La collectivité a déjà approuvé ce changement par écrit.")
    if state not in BEFORE_CLOSE or (closes_at is not None and now >= closes_at):
        if last_day is not None:
            return N_(
                "Le délai d'objection a pris fin le %(day)s à 24:00 (heure de Paris).",
                day=format_day_fr(last_day),
            )
        return N_("Le délai d'objection a pris fin.")
    return ""


AUTHORISED, PENDING, REFUSED, UNKNOWN = "authorised", "pending", "refused", "unknown"
AUTHORISATIONS = {
    AUTHORISED: "Autorisé",
    PENDING: "En cours d'information",
    REFUSED: "Non autorisé",
    UNKNOWN: "Aucune notification enregistrée",
}


def authorisation(state: str | None, has_objected: bool) -> str:
    """Whether a municipality has authorised a sub-processor; never after an objection."""
    if state is None:
        return UNKNOWN
    if has_objected or state in (OBJECTED, RESOLVED, NOT_AUTHORISED):
        return REFUSED
    if state in (APPROVED, ACCEPTED_BY_SILENCE):
        return AUTHORISED
    return PENDING


def time_left_text(closes_at: datetime | None, now: datetime) -> str:
    """Time left before a window closes ("2 j 5 h", "45 min", "clos"), a message translated
    where it is shown."""
    if closes_at is None:
        return N_("pas commencé")
    seconds = int((closes_at - now).total_seconds())
    if seconds <= 0:
        return N_("clos")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return N_("%(days)s j %(hours)s h", days=days, hours=hours)
    if hours:
        return N_("%(hours)s h %(minutes)s min", hours=hours, minutes=rest // 60)
    return N_("%(minutes)s min", minutes=max(1, rest // 60))
