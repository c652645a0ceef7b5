"""The "Mes échéances" list as an iCalendar feed (RFC 5545), for the user's calendar client."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import icalendar

if TYPE_CHECKING:
    from rgpd_app.clocks.services import Echeance

PRODID = "-//rgpd_app//Mes echeances//FR"
UID_DOMAIN = "rgpd-app"


def render_feed(items: Iterable["Echeance"], *, now: datetime, base_url: str) -> bytes:
    """All-day events for day clocks, timed events (UTC) for hour clocks; UIDs are stable."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Mes échéances RGPD")
    cal.add("x-wr-timezone", "Europe/Paris")
    stamp = now.astimezone(UTC)
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"{item.uid}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("summary", f"{item.title} — {item.organisation_name}")
        if item.is_timed:
            start = item.deadline.astimezone(UTC)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=30))
        else:
            event.add("dtstart", item.deadline)
            event.add("dtend", item.deadline + timedelta(days=1))
        url = base_url.rstrip("/") + item.url if item.url else ""
        description = "\n".join(item.steps)
        if url:
            event.add("url", url)
            description = f"{description}\n{url}".strip()
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
