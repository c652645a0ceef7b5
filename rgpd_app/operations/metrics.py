"""Prometheus exposition: this host's counters (operations.counters), then the database facts
(outbox, exports, lock holder, seals) read at scrape time, so every host answers the same."""

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from rgpd_app.operations import counters, status


class FactsCollector:
    """The database facts as gauges, computed when Prometheus scrapes."""

    def __init__(self, now):
        self.now = now

    def collect(self):
        up = GaugeMetricFamily("rgpd_database_up", "1 when the database answered the scrape")
        try:
            facts = status.facts(now=self.now)
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _fact_families(facts)


def _gauge(name, documentation, value, labels=None, label_values=()):
    family = GaugeMetricFamily(name, documentation, labels=labels)
    if value is not None:
        family.add_metric(list(label_values), value)
    return family


def _by_label(name, documentation, label, values: dict):
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family


def _fact_families(facts: status.Facts):
    checks = {check: int(outcome == "ok") for check, outcome in facts.readiness.checks.items()}
    yield _by_label("rgpd_ready_check", "1 when the readiness check passes", "check", checks)
    yield _by_label("rgpd_outbox_messages", "Outbox messages by state", "state", facts.outbox)
    yield _gauge(
        "rgpd_outbox_oldest_pending_age_seconds",
        "Age of the oldest pending outbox message (absent: none pending)",
        facts.outbox_oldest_pending_seconds,
    )
    yield _by_label("rgpd_exports", "Long exports waiting or being built", "state", facts.exports)
    yield _gauge(
        "rgpd_exports_oldest_queued_age_seconds",
        "Age of the oldest queued export: the worker's lag (absent: none queued)",
        facts.exports_oldest_queued_seconds,
    )
    holder = facts.lock_holder
    yield _gauge(
        "rgpd_worker_lock_held",
        "1 when a worker holds the advisory lock (PostgreSQL)",
        None if facts.database != "postgresql" else int(holder is not None),
    )
    if holder is not None:
        yield _gauge(
            "rgpd_worker_lock_holder_info",
            "The worker holding the advisory lock: its database session",
            1,
            ["application_name", "client_addr", "pid"],
            (holder.application_name, holder.client_addr or "local", str(holder.pid)),
        )
        if holder.last_query_at is not None:
            yield _gauge(
                "rgpd_worker_lock_holder_last_seen_age_seconds",
                "Since the lock holder last asked for its lock (each tick and queue poll)",
                (facts.checked_at - holder.last_query_at).total_seconds(),
            )
    yield _gauge(
        "rgpd_journal_latest_seal_age_seconds",
        "Age of the latest journal seal (absent: never sealed)",
        facts.latest_seal_seconds,
    )
    yield _gauge(
        "rgpd_journal_oldest_unsealed_age_seconds",
        "Age of the oldest journal row not sealed yet (absent: all sealed)",
        facts.oldest_unsealed_seconds,
    )


def exposition(now) -> bytes:
    """The text Prometheus scrapes: this host's processes, then the database facts."""
    facts_registry = CollectorRegistry(auto_describe=False)
    facts_registry.register(FactsCollector(now))
    return generate_latest(counters.process_registry()) + generate_latest(facts_registry)
