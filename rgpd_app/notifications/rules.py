"""Outbox retry rules: backoff, giving up, stale attempts. Pure."""

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes, capped at one hour."""
    if attempts < 1:
        return timedelta(minutes=1)
    return min(timedelta(minutes=2 ** min(attempts - 1, 16)), MAX_BACKOFF)


@dataclass(frozen=True)
class AfterFailure:
    state: str  # "pending" (try again at next_attempt_at) or "failed" (gave up)
    next_attempt_at: datetime | None


def after_failure(
    *, attempts: int, max_attempts: int, now: datetime, permanent: bool = False
) -> AfterFailure:
    """What becomes of a message whose `attempts`-th attempt just failed."""
    if permanent or attempts >= max_attempts:
        return AfterFailure("failed", None)
    return AfterFailure("pending", now + backoff(attempts))


def stale_before(now: datetime, timeout_minutes: int) -> datetime:
    """An attempt started before this instant was interrupted (the worker died mid-send)."""
    return now - timedelta(minutes=timeout_minutes)
