"""The counters every process keeps: per-endpoint requests and latencies, worker job runs.

Under gunicorn every web process counts its own requests: with `PROMETHEUS_MULTIPROC_DIR` set
(one folder per host, emptied of dead processes by `gunicorn_hooks`), prometheus-client keeps
the counters in files there and a scrape of any process adds them all up — the worker's job
counters included when it runs on that host with the same folder.
"""

import os
import time

from flask import Flask, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
)
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter("rgpd_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "rgpd_http_request_duration_seconds",
    "Time to answer a request (until the view returned; a streamed body is not included)",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
JOB_RUNS = Counter("rgpd_job_runs", "Worker job and queue runs", ["job"])
JOB_FAILURES = Counter("rgpd_job_failures", "Worker job and queue runs that failed", ["job"])


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.endpoint or "unmatched"  # a 404 has no endpoint: one label for all
            LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - started)
            REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        return response


def job_finished(name: str, *, ok: bool) -> None:
    """Count one run of a worker job or queue runner (scheduler._run_each)."""
    JOB_RUNS.labels(name).inc()
    if not ok:
        JOB_FAILURES.labels(name).inc()


def process_registry() -> CollectorRegistry:
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def job_counts() -> dict[str, dict[str, float]]:
    """Runs and failures by job on this host (every process of the multiprocess folder, or this
    process alone without one)."""
    counts: dict[str, dict[str, float]] = {}
    for metric in process_registry().collect():
        if metric.name not in ("rgpd_job_runs", "rgpd_job_failures"):
            continue
        key = "runs" if metric.name == "rgpd_job_runs" else "failures"
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                job = counts.setdefault(sample.labels["job"], {"runs": 0, "failures": 0})
                job[key] += sample.value
    return counts
