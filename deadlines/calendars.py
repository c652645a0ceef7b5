"""Holiday calendars of French municipalities, from the ``holidays`` package."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from deadlines.errors import DeadlineError
from deadlines.explain import weekday_fr

# Calendar code → (holidays subdivision, French label). Moselle (57) and Alsace (6AE, the
# subdivision the holidays package uses for Bas-Rhin 67 and Haut-Rhin 68) both add Good Friday
# and 26 December to the metropolitan calendar.
_CALENDARS: dict[str, tuple[str | None, str]] = {
    "FR": (None, "France métropolitaine"),
    "57": ("57", "Moselle (57)"),
    "6AE": ("6AE", "Alsace (67, 68)"),
}
_ALIASES = {"67": "6AE", "68": "6AE"}

# Metropolitan départements 01-95 (Corsica is 2A/2B, there is no "20") and the overseas
# départements 971-974 and 976. Overseas départements are mapped to the metropolitan calendar
# for now: their own holidays (abolition of slavery, …) are not yet applied.
_DEPARTEMENT = re.compile(r"0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-46]")


@lru_cache(maxsize=512)
def _holidays(code: str, year: int) -> holidays.HolidayBase:
    subdiv, _label = _CALENDARS[code]
    return holidays.country_holidays("FR", subdiv=subdiv, years=year, language="fr", expand=False)


@dataclass(frozen=True)
class Calendar:
    """The public holidays of one controller (DESIGN §3; Code du travail art. L3133-1)."""

    code: str
    label: str

    def holiday_name(self, d: date) -> str | None:
        """French name of the public holiday on ``d``, or None (holidays package, in French)."""
        names = _holidays(self.code, d.year).get_list(d)
        return " et ".join(names) if names else None

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a public holiday (CPC art. 642)."""
        return d.weekday() < 5 and self.holiday_name(d) is None

    def next_working_day(self, d: date) -> date:
        """First working day strictly after ``d`` (CPC art. 642)."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def previous_working_day(self, d: date) -> date:
        """Last working day strictly before ``d`` (backward periods, DESIGN §3)."""
        d -= timedelta(days=1)
        while not self.is_working_day(d):
            d -= timedelta(days=1)
        return d

    def why_not_working(self, d: date) -> str | None:
        """French reason why ``d`` is not a working day ("un samedi", "un jour férié (Noël)")."""
        reasons = []
        if d.weekday() >= 5:
            reasons.append(f"un {weekday_fr(d)}")
        name = self.holiday_name(d)
        if name is not None:
            reasons.append(f"un jour férié ({name})")
        return " et ".join(reasons) or None


def calendar_for(code: str) -> Calendar:
    """Calendar of a département or calendar code: FR, 57, 6AE, 67/68 → 6AE (DESIGN §3)."""
    cleaned = code.strip().upper() if isinstance(code, str) else ""
    cleaned = _ALIASES.get(cleaned, cleaned)
    if cleaned not in _CALENDARS:
        if not _DEPARTEMENT.fullmatch(cleaned):
            raise DeadlineError(
                "unknown_calendar",
                f"Calendrier inconnu : « {code} ». Indiquez FR, 6AE ou un numéro de "
                "département (par exemple 75, 2A, 57, 67).",
                field="calendar",
            )
        cleaned = "FR"
    return Calendar(code=cleaned, label=_CALENDARS[cleaned][1])
