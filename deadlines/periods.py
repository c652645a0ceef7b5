"""Periods in hours, days and months, forward and backward (DESIGN §3)."""

import calendar as gregorian
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from deadlines import explain
from deadlines.calendars import Calendar
from deadlines.errors import DeadlineError
from deadlines.explain import Step
from deadlines.instants import PARIS, require_aware


@dataclass(frozen=True)
class Deadline:
    """A computed deadline with the steps that explain it (DESIGN §3)."""

    kind: str
    length: int
    start: date | datetime
    raw_end: date | datetime
    deadline: date | datetime
    closes_at: datetime
    calendar_code: str | None
    steps: tuple[Step, ...]

    def is_closed(self, now: datetime) -> bool:
        """True once ``now`` reaches the closing instant (end of period, CPC art. 642)."""
        return require_aware(now, field="now").astimezone(UTC) >= self.closes_at

    def time_left(self, now: datetime) -> timedelta:
        """Elapsed time from ``now`` to the closing instant; negative once closed."""
        return self.closes_at - require_aware(now, field="now").astimezone(UTC)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values: instants in Europe/Paris ISO 8601, days as YYYY-MM-DD."""
        return {
            "kind": self.kind,
            "length": self.length,
            "start": _iso(self.start),
            "raw_end": _iso(self.raw_end),
            "deadline": _iso(self.deadline),
            "closes_at": _iso(self.closes_at),
            "calendar_code": self.calendar_code,
            "steps": [step.to_dict() for step in self.steps],
        }


def _iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(PARIS).isoformat()
    return value.isoformat()


def end_of_day_utc(d: date) -> datetime:
    """24:00 Europe/Paris at the end of ``d``, as aware UTC (CPC art. 642: ends at 24:00)."""
    return datetime.combine(d + timedelta(days=1), time(), tzinfo=PARIS).astimezone(UTC)


def _check_length(length: int, field: str = "length") -> int:
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        raise DeadlineError(
            "bad_length",
            f"La durée « {length} » doit être un nombre entier positif ou nul.",
            field=field,
        )
    return length


def _check_day(value: date, field: str = "start") -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DeadlineError("bad_start", "Une date (jour, sans heure) est attendue.", field=field)
    return value


def _shift(d: date, days: int) -> date:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        raise DeadlineError(
            "bad_start", "La date obtenue sort du calendrier.", field="start"
        ) from None


def _move(end: date, calendar: Calendar, *, forward: bool) -> tuple[date, list[Step]]:
    skipped: list[tuple[date, str]] = []
    day = end
    while (reason := calendar.why_not_working(day)) is not None:
        skipped.append((day, reason))
        day = _shift(day, 1 if forward else -1)
    if not skipped:
        return day, []
    return day, [explain.moved_step(skipped, day, forward=forward)]


def _forward(
    kind: str,
    length: int,
    start: date,
    raw_end: date,
    calendar: Calendar,
    steps: list[Step],
) -> Deadline:
    last_day, moves = _move(raw_end, calendar, forward=True)
    closes_at = end_of_day_utc(last_day)
    steps = [*steps, *moves, explain.closes_step(last_day, closes_at)]
    return Deadline(kind, length, start, raw_end, last_day, closes_at, calendar.code, tuple(steps))


def hours_after(start: datetime, hours: int) -> Deadline:
    """End of a period in hours, elapsed time in UTC (GDPR art. 33(1); DESIGN §3)."""
    _check_length(hours)
    start_utc = require_aware(start, field="start").astimezone(UTC)
    try:
        end = start_utc + timedelta(hours=hours)
    except OverflowError:
        raise DeadlineError(
            "bad_start", "La date obtenue sort du calendrier.", field="start"
        ) from None
    steps = [explain.start_instant_step(start_utc), explain.hours_counted_step(hours, end)]
    if start_utc.astimezone(PARIS).utcoffset() != end.astimezone(PARIS).utcoffset():
        steps.append(explain.dst_change_step(start_utc, end))
    return Deadline("hours", hours, start_utc, end, end, end, None, tuple(steps))


def days_after(event_on: date, days: int, calendar: Calendar) -> Deadline:
    """Last day of a period counted forward in days (CPC art. 641-642; Reg. 1182/71 art. 3)."""
    _check_day(event_on)
    _check_length(days)
    raw_end = _shift(event_on, days)
    steps = [explain.event_day_excluded_step(event_on), explain.days_counted_step(days, raw_end)]
    return _forward("days", days, event_on, raw_end, calendar, steps)


def add_months(d: date, months: int) -> date:
    """Same day-number ``months`` later, or the last day of that month (CPC art. 641 al. 2)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise DeadlineError("bad_start", "La date obtenue sort du calendrier.", field="start")
    last = gregorian.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def months_after(event_on: date, months: int, calendar: Calendar) -> Deadline:
    """Last day of a period counted forward in months (CPC art. 641-642; Reg. 1182/71 art. 3)."""
    _check_day(event_on)
    _check_length(months)
    raw_end = add_months(event_on, months)
    steps = [
        Step("start_day", f"Point de départ : {explain.format_day_fr(event_on)}."),
        explain.months_counted_step(months, raw_end, event_on.day),
    ]
    return _forward("months", months, event_on, raw_end, calendar, steps)


def days_before(event_on: date, days: int, calendar: Calendar) -> Deadline:
    """Latest day leaving N whole days before an event (annex art. 4.6; CPC art. 641-642)."""
    _check_day(event_on)
    _check_length(days)
    raw_end = _shift(event_on, -(days + 1))
    last_day, moves = _move(raw_end, calendar, forward=False)
    closes_at = end_of_day_utc(last_day)
    steps = (
        explain.days_before_step(event_on, days, raw_end),
        *moves,
        explain.closes_step(last_day, closes_at, backward=True),
    )
    return Deadline(
        "days_before", days, event_on, raw_end, last_day, closes_at, calendar.code, steps
    )


def extend_days(base: Deadline, days: int, calendar: Calendar) -> Deadline:
    """Extend a forward period by N days from its unmoved end (annex art. 4.3; CPC 641-642).

    The N days run from the last day of the initial period *before* any weekend or holiday
    move (DESIGN §3); the working-day move then applies once, to the extended end."""
    _check_length(days, field="extension")
    if base.kind != "days":
        raise DeadlineError(
            "bad_extension",
            "Seul un délai en jours compté vers l'avant peut être prolongé.",
            field="extension",
        )
    base_end = base.raw_end
    assert isinstance(base_end, date) and isinstance(base.start, date)
    raw_end = _shift(base_end, days)
    moves = {"closes_at", "moved_to_next_working_day", "moved_to_previous_working_day"}
    steps = [step for step in base.steps if step.code not in moves]
    steps.append(explain.extension_step(days, base_end, raw_end))
    return _forward("days", base.length + days, base.start, raw_end, calendar, steps)
