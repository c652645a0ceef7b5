"""How much time is left before an échéance, in French words (messages translated where shown,
rgpd_app.messages). Pure: `now` is a parameter."""

from datetime import UTC, date, datetime, timedelta

from deadlines import format_day_fr, format_instant_fr
from rgpd_app.messages import N_

_UNITS = {
    "jour": (N_("%(n)s jour"), N_("%(n)s jours")),
    "heure": (N_("%(n)s heure"), N_("%(n)s heures")),
}


def _plural(count: int, word: str) -> str:
    one, many = _UNITS[word]
    return N_(many.msgid if count > 1 else one.msgid, n=count)


def duration_fr(delta: timedelta) -> str:
    """A duration in days and hours, rounded down to the hour ("2 jours et 5 heures")."""
    hours = int(abs(delta).total_seconds()) // 3600
    days, hours = divmod(hours, 24)
    if days and hours:
        return N_(
            "%(days)s et %(hours)s", days=_plural(days, "jour"), hours=_plural(hours, "heure")
        )
    if days:
        return _plural(days, "jour")
    if hours:
        return _plural(hours, "heure")
    return N_("moins d'une heure")


def time_left_fr(due_at: datetime, now: datetime) -> str:
    """Time left before ``due_at`` ("reste 3 jours et 4 heures"), or how long it is overdue."""
    delta = due_at.astimezone(UTC) - now.astimezone(UTC)
    if delta <= timedelta(0):
        return N_("échue depuis %(duration)s", duration=duration_fr(delta))
    return N_("reste %(duration)s", duration=duration_fr(delta))


def is_overdue(due_at: datetime, now: datetime) -> bool:
    """True once the closing instant is reached (CPC art. 642: the period ends at 24:00)."""
    return now.astimezone(UTC) >= due_at.astimezone(UTC)


def deadline_fr(value: date | datetime) -> str:
    """A deadline as people read it: a last day (until 24:00 Paris) or an instant (DESIGN §3)."""
    if isinstance(value, datetime):
        return format_instant_fr(value)
    return N_("%(day)s, jusqu'à 24:00 (heure de Paris)", day=format_day_fr(value))
