"""Instants: Europe/Paris wall time, UTC storage, DST gaps and folds, ISO 8601 parsing."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from deadlines.errors import DeadlineError

PARIS = ZoneInfo("Europe/Paris")

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def utc_offset_text(dt: datetime) -> str:
    """The offset of an aware datetime as people read it: "UTC+01:00" (ISO 8601)."""
    offset = dt.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def require_aware(dt: datetime, *, field: str | None = None) -> datetime:
    """Refuse a naive datetime: an instant without offset is not an instant (DESIGN §3)."""
    if not isinstance(dt, datetime):
        raise DeadlineError("bad_start", "Une date et une heure sont attendues.", field=field)
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise DeadlineError(
            "naive_datetime",
            f"L'instant {dt.isoformat(sep=' ', timespec='minutes')} n'indique pas son fuseau "
            "horaire : précisez le décalage UTC (par exemple +01:00) ou utilisez l'heure de Paris.",
            field=field,
        )
    return dt


def local_to_utc(naive: datetime, *, field: str | None = None) -> datetime:
    """Europe/Paris wall time to aware UTC, refusing DST gaps and folds (PEP 495; DESIGN §3)."""
    if not isinstance(naive, datetime):
        raise DeadlineError("bad_start", "Une date et une heure sont attendues.", field=field)
    if naive.tzinfo is not None:
        return require_aware(naive, field=field).astimezone(UTC)
    first = naive.replace(tzinfo=PARIS, fold=0)
    second = naive.replace(tzinfo=PARIS, fold=1)
    first_utc = first.astimezone(UTC)
    if first_utc == second.astimezone(UTC):
        return first_utc
    shown = naive.strftime("%Y-%m-%d %H:%M")
    iso = naive.isoformat(timespec="minutes")
    before, after = utc_offset_text(first), utc_offset_text(second)
    if first_utc.astimezone(PARIS).replace(tzinfo=None) != naive:
        raise DeadlineError(
            "nonexistent_local_time",
            f"L'heure {shown} n'existe pas à Paris : ce jour-là les horloges avancent d'une "
            f"heure (passage à l'heure d'été, de {before} à {after}). Indiquez le décalage UTC, "
            f"par exemple {iso}{before[3:]}.",
            field=field,
        )
    raise DeadlineError(
        "ambiguous_local_time",
        f"L'heure {shown} est ambiguë à Paris : elle a lieu deux fois ce jour-là (passage à "
        f"l'heure d'hiver, de {before} à {after}). Indiquez le décalage UTC : "
        f"{iso}{before[3:]} pour la première fois, {iso}{after[3:]} pour la seconde.",
        field=field,
    )


_FRENCH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(?:à\s+)?(\d{1,2})[h:](\d{2}))?")


def _from_french(text: str) -> str:
    """ "25/11/2026 22:00" (or "22h00", "à 22:00") as ISO "2026-11-25T22:00"; other text as is."""
    match = _FRENCH.fullmatch(text)
    if not match:
        return text
    day, month, year, hour, minute = match.groups()
    iso = f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{iso}T{int(hour):02d}:{minute}" if hour else iso


def parse_instant(text: str, *, field: str = "start") -> datetime:
    """ISO 8601 (or French "JJ/MM/AAAA HH:MM") instant to aware UTC; without offset it is Paris
    wall time (ISO 8601; DESIGN §3)."""
    if not isinstance(text, str) or not text.strip():
        raise DeadlineError("bad_start", "Une date et une heure sont attendues.", field=field)
    cleaned = _from_french(text.strip())
    if _DATE_ONLY.fullmatch(cleaned):
        raise DeadlineError(
            "bad_start",
            f"« {cleaned} » est une date : une heure est nécessaire (par exemple {cleaned}T14:05).",
            field=field,
        )
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise DeadlineError(
            "bad_start",
            f"« {cleaned} » n'est pas une date et heure valide au format ISO 8601 "
            "(par exemple 2026-03-26T14:05 ou 2026-03-26T14:05+01:00).",
            field=field,
        ) from None
    try:
        if parsed.tzinfo is None:
            return local_to_utc(parsed, field=field)
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise DeadlineError(
            "bad_start", f"« {cleaned} » est hors des dates représentables.", field=field
        ) from None


def parse_start(text: str, *, field: str = "start") -> date | datetime:
    """A day (YYYY-MM-DD) or an instant (ISO 8601) that starts a clock (DESIGN §3)."""
    if isinstance(text, str) and _DATE_ONLY.fullmatch(text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise DeadlineError(
                "bad_start",
                f"La date « {text.strip()} » n'existe pas dans le calendrier.",
                field=field,
            ) from None
    return parse_instant(text, field=field)
