"""Gunicorn settings for Prometheus's multiprocess mode.

Use: `gunicorn -c python:rgpd_app.operations.gunicorn_hooks …`. Each process writes its counters
to files named after its pid in PROMETHEUS_MULTIPROC_DIR; the files of processes that are gone
stay summed (a counter must not go down), their live gauges are dropped, and files left by an
earlier run of the host (pids no longer alive) are removed at start.
"""

import os
import re
from pathlib import Path

_PID = re.compile(r"_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in Path(folder).glob("*.db"):
        match = _PID.search(path.name)
        if match and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
