"""The contract's clocks, their default lengths and per-contract parameters (DESIGN §3)."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from deadlines import explain
from deadlines.calendars import Calendar
from deadlines.errors import DeadlineError
from deadlines.instants import PARIS, require_aware
from deadlines.periods import (
    Deadline,
    days_after,
    days_before,
    extend_days,
    hours_after,
    months_after,
)


@dataclass(frozen=True)
class Clock:
    """One clock of the contract: how it counts and which contract parameter sets its length."""

    name: str
    kind: str
    default_length: int
    label: str
    parameter: str
    extension_default: int | None = None
    extension_parameter: str | None = None


CLOCKS: dict[str, Clock] = {
    clock.name: clock
    for clock in (
        Clock(
            "breach-processor",
            "hours",
            24,
            "Notification d'une violation par le sous-traitant au responsable de traitement",
            "breach_processor_hours",
        ),
        Clock(
            "breach-authority",
            "hours",
            72,
            "Notification d'une violation à la CNIL par le responsable de traitement",
            "breach_authority_hours",
        ),
        Clock(
            "subprocessor-objection",
            "days",
            7,
            "Objection à un changement de sous-traitant ultérieur",
            "objection_days",
        ),
        Clock("audit-notice", "days_before", 30, "Préavis d'un audit", "audit_notice_days"),
        Clock("auditor-refusal", "days", 15, "Refus motivé de l'auditeur", "auditor_refusal_days"),
        Clock(
            "audit-observations",
            "days",
            15,
            "Observations sur le rapport d'audit",
            "audit_observations_days",
        ),
        Clock(
            "audit-corrective",
            "months",
            3,
            "Mesures correctives après l'audit",
            "audit_corrective_months",
        ),
        Clock(
            "next-audit",
            "months",
            12,
            "Début au plus tôt de l'audit suivant",
            "audit_interval_months",
        ),
        Clock(
            "assistance",
            "days",
            15,
            "Assistance pour une demande de personne concernée",
            "assistance_days",
        ),
        Clock(
            "assistance-extended",
            "days",
            15,
            "Assistance pour une demande de personne concernée, délai prolongé",
            "assistance_days",
            extension_default=8,
            extension_parameter="assistance_extension_days",
        ),
    )
}

_UNITS = {
    "hours": ("heure", "heures"),
    "days": ("jour", "jours"),
    "days_before": ("jour", "jours"),
    "months": ("mois", "mois"),
}


def _length(lengths: Mapping[str, int], parameter: str, default: int) -> tuple[int, bool]:
    if parameter not in lengths:
        return default, False
    value = lengths[parameter]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DeadlineError(
            "bad_length",
            f"La durée « {value} » du paramètre {parameter} doit être un nombre entier "
            "positif ou nul.",
            field=parameter,
        )
    return value, True


def compute_clock(
    name: str,
    start: date | datetime,
    calendar: Calendar,
    lengths: Mapping[str, int] | None = None,
) -> Deadline:
    """Deadline of a named contract clock with per-contract lengths (annex art. 4; DESIGN §3)."""
    clock = CLOCKS.get(name) if isinstance(name, str) else None
    if clock is None:
        raise DeadlineError(
            "unknown_clock",
            f"Délai inconnu : « {name} ». Délais connus : {', '.join(CLOCKS)}.",
            field="clock",
        )
    lengths = lengths or {}
    length, overridden = _length(lengths, clock.parameter, clock.default_length)
    singular, plural_form = _UNITS[clock.kind]
    description = explain.plural(length, singular, plural_form)
    extension = None
    if clock.extension_parameter is not None and clock.extension_default is not None:
        extension, extension_overridden = _length(
            lengths, clock.extension_parameter, clock.extension_default
        )
        overridden = overridden or extension_overridden
        description += f", prolongé de {explain.plural(extension, 'jour')}"
    if clock.kind == "days_before":
        description = f"au moins {description} avant"
    steps = [explain.clock_length_step(clock.label, description, overridden)]

    if clock.kind == "hours":
        if not isinstance(start, datetime):
            raise DeadlineError(
                "bad_start",
                "Ce délai se compte en heures : une heure est nécessaire, pas seulement une "
                "date (par exemple 2026-03-26T14:05).",
                field="start",
            )
        result = hours_after(start, length)
        return _with_steps(result, steps)

    if isinstance(start, datetime):
        instant = require_aware(start, field="start")
        day = instant.astimezone(PARIS).date()
        steps.append(explain.start_converted_step(instant, day))
    elif isinstance(start, date):
        day = start
    else:
        raise DeadlineError("bad_start", "Une date ou un instant est attendu.", field="start")

    if clock.kind == "days":
        result = days_after(day, length, calendar)
        if extension is not None:
            result = extend_days(result, extension, calendar)
    elif clock.kind == "months":
        result = months_after(day, length, calendar)
    else:
        result = days_before(day, length, calendar)
    return _with_steps(result, steps)


def _with_steps(result: Deadline, steps: list[explain.Step]) -> Deadline:
    return replace(result, steps=(*steps, *result.steps))
