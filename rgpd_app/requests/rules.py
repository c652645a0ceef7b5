"""Data-subject request rules: kinds, roles, the assistance extension, the identity purge. Pure.

Sources: GDPR art. 12(3), 15-22 and 28(3)(e); annex art. 3.3 and 4.3; DESIGN §3.
"""

from dataclasses import dataclass
from datetime import date, datetime

from deadlines.periods import add_months
from rgpd_app.foundation import roles
from rgpd_app.messages import N_

KINDS = {
    "access": "Accès (art. 15)",
    "rectification": "Rectification (art. 16)",
    "erasure": "Effacement (art. 17)",
    "restriction": "Limitation (art. 18)",
    "objection": "Opposition (art. 21)",
    "portability": "Portabilité (art. 20)",
    "automated_decision": "Décision individuelle automatisée (art. 22)",
}
CHANNELS = {"email": "Courriel", "letter": "Courrier", "phone": "Téléphone", "other": "Autre"}
EXTENSION_REASONS = {  # annex art. 4.3
    "complexity": "Complexité de la demande",
    "season": "Période de l'année",
    "load": "Nombre de demandes en cours",
}
OUTCOMES = {
    "extracted": "Données extraites",
    "rectified": "Données rectifiées",
    "erased": "Données effacées",
    "restricted": "Traitement limité",
    "nothing_found": "Aucune donnée trouvée",
    "other": "Autre",
}

FORWARDED, ASSISTANCE, CLOSED = "forwarded", "assistance", "closed"
STATE_LABELS = {
    FORWARDED: "Transmise à la collectivité",
    ASSISTANCE: "Assistance demandée au sous-traitant",
    CLOSED: "Close",
}
PROCESSOR, MUNICIPALITY = "processor", "municipality"
ORIGINS = {PROCESSOR: "Reçue par le sous-traitant", MUNICIPALITY: "Reçue par la collectivité"}

# Who does what (least privilege, annex §1). The administrator has no access.
RECORDERS = (roles.SUPPORT, roles.PROCESSOR_DPO)
READERS = (roles.PROCESSOR_DPO, roles.SUPPORT, roles.CONTROLLER_DPO, roles.AUDITOR)
IDENTITY_READERS = (roles.PROCESSOR_DPO, roles.CONTROLLER_DPO)
ASKERS = (roles.CONTROLLER_DPO,)
HANDLERS = (roles.PROCESSOR_DPO,)
TIME_LOGGERS = (roles.PROCESSOR_DPO, roles.SUPPORT)
CLOSERS = (roles.PROCESSOR_DPO, roles.CONTROLLER_DPO)

DEFAULT_RETENTION_MONTHS = 12
CONTROLLER_MONTHS, CONTROLLER_EXTENSION_MONTHS = 1, 2  # GDPR art. 12(3)
# No request under the GDPR was received before it applied (art. 99(2)); an older day would
# also be shown with the Paris mean time offset (+00:09:21, before 1911), not an RFC 3339 one.
GDPR_APPLIES_ON = date(2018, 5, 25)
MAX_MINUTES_PER_ENTRY = 24 * 60


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    field: str = "_form"


def extension_refusal(
    *,
    reason: str | None,
    already_extended: bool,
    now: datetime,
    first_closes_at: datetime,
    first_day: date,
) -> Refusal | None:
    """Why the assistance period cannot be extended (annex art. 4.3): once, with a reason of
    the contract, before the first end; None when allowed."""
    if already_extended:
        return Refusal(
            "already_extended", N_("Le délai d'assistance a déjà été prolongé une fois.")
        )
    if now >= first_closes_at:
        return Refusal(
            "extension_too_late",
            N_(
                "La prolongation doit être décidée avant la fin du premier délai, qui a expiré le "
                "%(day)s à minuit.",
                day=first_day.strftime("%d/%m/%Y"),
            ),
        )
    if reason not in EXTENSION_REASONS:
        return Refusal(
            "extension_reason",
            N_(
                "Indiquez le motif prévu au contrat : %(reasons)s.",
                reasons=", ".join(label.lower() for label in EXTENSION_REASONS.values()),
            ),
            "reason",
        )
    return None


def purge_day(closed_on: date, retention_months: int) -> date:
    """The first day the requester's identity is no longer kept: the day after the end of the
    retention counted in months from the day the request was closed (DESIGN §3, months)."""
    return date.fromordinal(add_months(closed_on, retention_months).toordinal() + 1)


def identity_purge_due(closed_on: date | None, retention_months: int, today: date) -> bool:
    return closed_on is not None and today >= purge_day(closed_on, retention_months)


def arrives_in_time(assistance_day: date, controller_day: date) -> bool:
    """The processor's help ends no later than the municipality's own answer deadline."""
    return assistance_day <= controller_day
