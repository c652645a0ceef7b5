"""Journal rows for the chain's tests."""

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import record
from rgpd_app.journal import services


def write(n, clock):
    for i in range(n):
        record("test.event", now=clock(), details={"n": i})
    db.session.commit()


def sealed_then_purged(clock) -> int:
    """Seal 1: four old rows; seal 2: two rows 200 days later; then, 200 days on, the purge of
    seal 1 (365 days' retention). Returns how many rows the purge deleted."""
    write(4, clock)
    services.seal(now=clock())
    clock.advance(days=200)
    write(2, clock)
    services.seal(now=clock())
    clock.advance(days=200)
    return services.purge(now=clock(), retention_days=365)
