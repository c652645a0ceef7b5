"""Every job the worker runs, listed in one place (like the blueprints).

Nothing registers itself by being imported: the worker runs exactly these, whichever modules
were imported before. `TICK_JOBS` run once per tick (one a minute), one after the other in this
order, each taking `now`; `QUEUES` are polled every WORKER_QUEUE_POLL_SECONDS, each taking a
function giving the current instant and working until its queue is empty.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from rgpd_app import api_conventions
from rgpd_app.audits import services as audits
from rgpd_app.breaches import services as breaches
from rgpd_app.deposits import services as deposits
from rgpd_app.exports.jobs import services as exports
from rgpd_app.journal import integrity as journal_integrity
from rgpd_app.journal import services as journal
from rgpd_app.notifications import services as outbox
from rgpd_app.register.files import uploads as register_uploads
from rgpd_app.requests import services as requests
from rgpd_app.subprocessors import services as subprocessors

EVERY_TICK = "tick"
QUEUE_POLL = "queue poll"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable
    schedule: str  # EVERY_TICK or QUEUE_POLL


def _journal_anchors(now: datetime):
    return journal_integrity.send_anchors(now)


def _journal_seal(now: datetime):
    return journal.seal(now=now)


def _journal_purge(now: datetime):
    return journal.purge(now=now, retention_days=current_app.config["JOURNAL_RETENTION_DAYS"])


TICK_JOBS: tuple[Job, ...] = tuple(
    Job(name, run, EVERY_TICK)
    for name, run in (
        # Before the sealing: the rows journaling this week's anchors are sealed in the same tick.
        ("journal.anchors", _journal_anchors),
        ("journal.seal", _journal_seal),
        ("api.idempotency_purge", api_conventions.purge),
        ("journal.purge", _journal_purge),
        ("exports.requeue_stale", exports.requeue_stale),
        ("exports.purge", exports.purge_expired),
        ("outbox.purge_bodies", outbox.purge_bodies_job),
        ("outbox.send", outbox.send_job),
        ("audits.silent_acceptance", audits.silent_acceptance),
        ("audits.measure_reminders", audits.measure_reminders),
        ("breaches.receptions", breaches.receptions_job),
        ("breaches.reminders", breaches.reminders_job),
        ("deposits.ftp_poll", deposits.ftp_poll_job),
        ("deposits.ftp_upload", deposits.ftp_upload_job),
        ("deposits.ftp_cleanup", deposits.ftp_cleanup_job),
        ("register.import_uploads_purge", register_uploads.purge),
        ("requests.purge_identity", requests.purge_identity),
        ("subprocessors.start_windows", subprocessors.start_windows),
        ("subprocessors.reminders", subprocessors.send_reminders),
        ("subprocessors.close_windows", subprocessors.close_windows),
    )
)

QUEUES: tuple[Job, ...] = (Job("exports", exports.run_pending, QUEUE_POLL),)
