"""Deadline rules of the data-processing annex (DESIGN §3): pure, no clock read, no database.

Instants are aware UTC datetimes; days are ``date`` objects read in Europe/Paris. Periods in
hours are elapsed time; periods in days and months follow CPC art. 641-642 and Reg. 1182/71
with the controller's holiday calendar.
"""

from deadlines.calendars import Calendar, calendar_for
from deadlines.clocks import CLOCKS, Clock, compute_clock
from deadlines.errors import DeadlineError
from deadlines.explain import Step, format_day_fr, format_instant_fr
from deadlines.instants import PARIS, local_to_utc, parse_instant, parse_start
from deadlines.periods import (
    Deadline,
    days_after,
    days_before,
    extend_days,
    hours_after,
    months_after,
)

__all__ = [
    "CLOCKS",
    "PARIS",
    "Calendar",
    "Clock",
    "Deadline",
    "DeadlineError",
    "Step",
    "calendar_for",
    "compute_clock",
    "days_after",
    "days_before",
    "extend_days",
    "format_day_fr",
    "format_instant_fr",
    "hours_after",
    "local_to_utc",
    "months_after",
    "parse_instant",
    "parse_start",
]
