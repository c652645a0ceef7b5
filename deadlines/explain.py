"""French wording: dates, instants and the steps that explain a deadline."""

from dataclasses import dataclass
from datetime import date, datetime

from deadlines.instants import PARIS, require_aware, utc_offset_text

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True)
class Step:
    """One line of the explanation of a deadline: a stable code and a French sentence."""

    code: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready {"code", "text"}."""
        return {"code": self.code, "text": self.text}


def weekday_fr(d: date) -> str:
    """French name of the day of the week ("samedi"), independent of the OS locale."""
    return _DAYS[d.weekday()]


def format_day_fr(d: date) -> str:
    """A day in French, e.g. "lundi 11 mai 2026" or "vendredi 1er mai 2026" (French usage)."""
    day = "1er" if d.day == 1 else str(d.day)
    return f"{_DAYS[d.weekday()]} {day} {_MONTHS[d.month - 1]} {d.year}"


def format_instant_fr(dt: datetime) -> str:
    """An instant in French Paris time with its offset (DESIGN §3: shown in Europe/Paris)."""
    local = require_aware(dt).astimezone(PARIS)
    return (
        f"{format_day_fr(local.date())} à {local:%H:%M} (heure de Paris, {utc_offset_text(local)})"
    )


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its French noun: "1 jour", "15 jours", "3 mois" (irregular plural given)."""
    word = singular if abs(count) == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def month_day_fr(day: int, month: int, year: int) -> str:
    """A possibly nonexistent day of a month ("31 février 2026"), without weekday."""
    return f"{'1er' if day == 1 else day} {_MONTHS[month - 1]} {year}"


def start_instant_step(start: datetime) -> Step:
    """Step: the starting instant shown in Paris time (DESIGN §3)."""
    return Step("start_instant", f"Point de départ : {format_instant_fr(start)}.")


def hours_counted_step(hours: int, end: datetime) -> Step:
    """Step: N hours of elapsed time, no extension (GDPR art. 33(1); DESIGN §3)."""
    return Step(
        "hours_counted",
        f"{plural(hours, 'heure écoulée', 'heures écoulées')} en temps réel (UTC), sans "
        f"report pour les week-ends ni les jours fériés → {format_instant_fr(end)}.",
    )


def dst_change_step(start: datetime, end: datetime) -> Step:
    """Step: the Paris offset changed during the period (DESIGN §3, DST)."""
    before = utc_offset_text(start.astimezone(PARIS))
    after = utc_offset_text(end.astimezone(PARIS))
    return Step(
        "dst_change",
        f"Changement d'heure à Paris pendant le délai ({before} → {after}) : l'heure "
        "affichée à l'échéance diffère de l'heure de départ, la durée écoulée reste exacte.",
    )


def start_converted_step(start: datetime, day: date) -> Step:
    """Step: an instant reduced to its Paris day for a day period (DESIGN §3)."""
    return Step(
        "start_converted",
        f"Instant de départ {format_instant_fr(start)} → le délai se compte à partir du "
        f"jour {format_day_fr(day)}.",
    )


def event_day_excluded_step(event_on: date) -> Step:
    """Step: the day of the event does not count (CPC art. 641; Reg. 1182/71 art. 3)."""
    return Step(
        "event_day_excluded",
        f"Le jour de l'événement, {format_day_fr(event_on)}, ne compte pas "
        "(CPC art. 641 ; règlement 1182/71 art. 3).",
    )


def days_counted_step(days: int, raw_end: date) -> Step:
    """Step: N days counted from the next day (CPC art. 641)."""
    return Step(
        "days_counted",
        f"{plural(days, 'jour compté', 'jours comptés')} à partir du lendemain → "
        f"{format_day_fr(raw_end)}.",
    )


def months_counted_step(months: int, raw_end: date, wanted_day: int) -> Step:
    """Step: same day-number N months later, or the month end (CPC art. 641 al. 2)."""
    if raw_end.day == wanted_day:
        return Step(
            "months_counted",
            f"{plural(months, 'mois', 'mois')} plus tard, même quantième → "
            f"{format_day_fr(raw_end)}.",
        )
    missing = month_day_fr(wanted_day, raw_end.month, raw_end.year)
    return Step(
        "month_end_clamped",
        f"{plural(months, 'mois', 'mois')} plus tard : le {missing} n'existe pas → dernier "
        f"jour du mois, {format_day_fr(raw_end)}.",
    )


def days_before_step(event_on: date, days: int, raw_end: date) -> Step:
    """Step: N whole days before the event (annex art. 4.6; DESIGN §3)."""
    return Step(
        "days_before_counted",
        f"Au moins {plural(days, 'jour entier', 'jours entiers')} avant le "
        f"{format_day_fr(event_on)}, qui ne compte pas → dernier jour possible : "
        f"{format_day_fr(raw_end)}.",
    )


def extension_step(days: int, base_end: date, raw_end: date) -> Step:
    """Step: the extension counted from the unextended end (annex art. 4.3)."""
    return Step(
        "extension_counted",
        f"Prolongation de {plural(days, 'jour')} comptée à partir de la fin du délai initial "
        f"({format_day_fr(base_end)}) → {format_day_fr(raw_end)}.",
    )


def moved_step(skipped: list[tuple[date, str]], target: date, *, forward: bool) -> Step:
    """Step: one move over non-working days, forward or back (CPC art. 642; DESIGN §3)."""
    first_day, first_reason = skipped[0]
    text = f"Le {format_day_fr(first_day)} est {first_reason}"
    for day, reason in skipped[1:]:
        if "férié" in reason:
            text += f", puis le {format_day_fr(day)} est {reason}"
    if forward:
        return Step(
            "moved_to_next_working_day",
            f"{text} → reporté au {format_day_fr(target)} (CPC art. 642).",
        )
    return Step(
        "moved_to_previous_working_day",
        f"{text} → avancé au {format_day_fr(target)}, dernier jour ouvré avant.",
    )


def closes_step(last_day: date, closes_at: datetime, *, backward: bool = False) -> Step:
    """Step: the period ends at 24:00 Paris on its last day (CPC art. 642)."""
    lead = "Dernier jour possible" if backward else "Le délai expire"
    return Step(
        "closes_at",
        f"{lead} : {format_day_fr(last_day)} à 24:00, heure de Paris "
        f"(soit {closes_at:%Y-%m-%d %H:%M} UTC).",
    )


def clock_length_step(label: str, description: str, overridden: bool) -> Step:
    """Step: which clock and which length, default or per contract (DESIGN §3)."""
    origin = "valeur prévue au contrat" if overridden else "valeur par défaut"
    return Step("clock", f"{label} : {description} ({origin}).")
