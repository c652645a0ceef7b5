from datetime import UTC, datetime, timedelta

from rgpd_app.notifications import rules

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_backoff_doubles_from_one_minute_and_stops_at_one_hour():
    waits = [rules.backoff(n) for n in range(1, 10)]
    minutes = [int(w.total_seconds() // 60) for w in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert rules.backoff(500) == timedelta(hours=1)


def test_a_failed_attempt_below_the_limit_waits_for_the_next_one():
    outcome = rules.after_failure(attempts=3, max_attempts=12, now=NOW)
    assert outcome == rules.AfterFailure("pending", NOW + timedelta(minutes=4))


def test_the_last_attempt_or_a_permanent_refusal_gives_up():
    assert rules.after_failure(attempts=12, max_attempts=12, now=NOW).state == "failed"
    assert rules.after_failure(attempts=1, max_attempts=12, now=NOW, permanent=True).state == (
        "failed"
    )


def test_an_attempt_is_stale_after_the_timeout():
    assert rules.stale_before(NOW, 10) == NOW - timedelta(minutes=10)
