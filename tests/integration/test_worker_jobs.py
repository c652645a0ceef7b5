"""The worker's jobs, the échéances providers and the export kinds come from explicit lists, not
import order."""

import json
import subprocess
import sys
from pathlib import Path

from rgpd_app import echeances, export_kinds, jobs, scheduler
from rgpd_app.clocks import services as clocks
from rgpd_app.exports.jobs import services as export_jobs
from rgpd_app.foundation.actor import actor_for

ROOT = Path(__file__).resolve().parents[2]

TICK_JOBS = [
    "journal.anchors",
    "journal.seal",
    "api.idempotency_purge",
    "journal.purge",
    "exports.requeue_stale",
    "exports.purge",
    "outbox.purge_bodies",
    "outbox.send",
    "audits.silent_acceptance",
    "audits.measure_reminders",
    "breaches.receptions",
    "breaches.reminders",
    "deposits.ftp_poll",
    "deposits.ftp_upload",
    "deposits.ftp_cleanup",
    "register.import_uploads_purge",
    "requests.purge_identity",
    "subprocessors.start_windows",
    "subprocessors.reminders",
    "subprocessors.close_windows",
]
QUEUES = ["exports"]
PROVIDERS = [
    "contract-end",
    "audits",
    "breaches",
    "deposits",
    "instructions",
    "requests",
    "subprocessor_windows",
]
TASK_PROVIDERS = ["exports", "outbox", "audits", "instructions"]
EXPORT_KINDS = ["register", "register-copy", "evidence"]


def test_the_job_list_names_every_job_with_its_schedule():
    assert [(j.name, j.schedule) for j in jobs.TICK_JOBS] == [
        (name, jobs.EVERY_TICK) for name in TICK_JOBS
    ]
    assert [(j.name, j.schedule) for j in jobs.QUEUES] == [
        (name, jobs.QUEUE_POLL) for name in QUEUES
    ]
    assert [n for n, _ in scheduler.JOBS] == TICK_JOBS
    assert [n for n, _ in scheduler.QUEUES] == QUEUES


class _FakeScheduler:
    """Stands for APScheduler's BlockingScheduler: records the jobs, runs each once on start."""

    instances: list["_FakeScheduler"] = []

    def __init__(self, **kwargs):
        self.added = {}
        self.running = False
        _FakeScheduler.instances.append(self)

    def add_job(self, func, trigger, *, id, seconds, **kwargs):
        self.added[id] = (func, trigger, seconds)

    def start(self):
        for func, _, _ in self.added.values():
            func()

    def shutdown(self, wait=True):
        pass


def test_the_worker_schedules_the_tick_and_the_queue_poll_with_exactly_the_listed_jobs(
    app, monkeypatch
):
    from apscheduler.schedulers import blocking

    rounds = []
    run_each = scheduler._run_each

    def spy(registry, argument, what, still_held=None):
        rounds.append((what, [name for name, _ in registry]))
        return run_each(registry, argument, what, still_held)

    monkeypatch.setattr(blocking, "BlockingScheduler", _FakeScheduler)
    monkeypatch.setattr(scheduler, "_run_each", spy)
    _FakeScheduler.instances.clear()
    assert scheduler.run_worker(app, interval_seconds=60) == 0
    (fake,) = _FakeScheduler.instances
    triggers = {id: (trigger, seconds) for id, (_, trigger, seconds) in fake.added.items()}
    assert triggers == {
        "tick": ("interval", 60),
        "queues": ("interval", app.config["WORKER_QUEUE_POLL_SECONDS"]),
    }
    assert rounds == [("job", TICK_JOBS), ("queue", QUEUES)]


def test_the_echeances_service_asks_exactly_the_listed_providers(
    app, make_user, clock, monkeypatch
):
    assert list(echeances.PROVIDERS) == PROVIDERS
    assert list(echeances.TASK_PROVIDERS) == TASK_PROVIDERS
    asked = []

    def recording(name):
        def provide(actor, now):
            asked.append(name)
            return []

        return provide

    monkeypatch.setattr(echeances, "PROVIDERS", {n: recording(n) for n in PROVIDERS})
    monkeypatch.setattr(echeances, "TASK_PROVIDERS", {n: recording(n) for n in TASK_PROVIDERS})
    actor = actor_for(make_user("processor_dpo"), clock())
    assert clocks.echeances_for(actor, now=clock()) == []
    assert asked == PROVIDERS
    asked.clear()
    assert clocks.tasks_for(actor, now=clock()) == []
    assert asked == TASK_PROVIDERS


_WITHOUT_VIEWS = """
import json, sys
from rgpd_app import echeances, scheduler
from rgpd_app.clocks import services
services.use_listed(echeances)  # what create_app does
print(json.dumps({
    "jobs": [name for name, _ in scheduler.JOBS],
    "queues": [name for name, _ in scheduler.QUEUES],
    "providers": list(services.providers()),
    "web": sorted(
        m for m in sys.modules
        if m.startswith("rgpd_app.") and m.rsplit(".", 1)[-1] in ("views", "api", "blueprints")
    ),
}))
"""


def test_the_lists_hold_when_only_the_worker_is_imported():
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_VIEWS],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(out.stdout)
    assert found == {"jobs": TICK_JOBS, "queues": QUEUES, "providers": PROVIDERS, "web": []}


def test_the_export_queue_knows_exactly_the_listed_kinds(app):
    assert list(export_kinds.KINDS) == EXPORT_KINDS
    assert export_jobs.KINDS == export_kinds.KINDS
