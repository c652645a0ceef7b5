"""Two complete instances behind a real HAProxy (issue 19, point 1): separate instance folders,
the same PostgreSQL database, storage root, secrets and Redis. A session opened on one answers
on the other; an export queued on one is built by the other's worker and downloaded from the
first; each host's /metrics adds up its gunicorn processes."""

import hashlib
import re
import shutil
import socket
import time
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import select

from bench.deployment import Deployment
from rgpd_app.exports.models import DONE, ExportJob
from rgpd_app.extensions import db
from rgpd_app.operations import status
from tests.conftest import PASSWORD
from tests.operations_support import stamped_at_head
from tests.subprocessor_support import add_processing

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def deployment_world(app, backend, clock, make_org, make_user):
    if backend != "postgres":
        pytest.skip("several hosts share a PostgreSQL database (SQLite is one host's file)")
    if not shutil.which("haproxy"):
        pytest.skip("haproxy not installed (apt-get install haproxy): no load balancer to test")
    if not _redis_answers():
        pytest.skip("Redis not reachable on 127.0.0.1:6379 (the hosts' shared rate limits)")
    clock.set(datetime.now(UTC))  # the servers run on the real clock
    town = make_org("Ville de Rennes", departement="35")
    dpo = make_user("controller_dpo", town)  # a municipality's role: no second factor
    for n in range(3):
        add_processing(town, name=f"Cantine scolaire {n}", now=clock())
    db.session.commit()
    return dpo


def _holder_pid() -> int | None:
    holder = status.lock_holder()  # the session is named "rgpd-worker <host> <pid>"
    db.session.commit()
    return int(holder.application_name.rsplit(" ", 1)[1]) if holder else None


def _login(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{base}/login").text).group(1)
    answer = browser.post(
        f"{base}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def test_two_hosts_share_sessions_exports_and_the_worker(app, deployment_world, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with (
        stamped_at_head(),
        Deployment(tmp_path, url, extra_env={"RGPD_EXPORT_INLINE_XLSX": "0"}) as dep,
    ):
        a, b = dep.hosts
        # A session opened on A answers on B (same secret key, server-side state in the database).
        on_a = _login(a.url, deployment_world.email)
        on_b = requests.Session()
        on_b.cookies.update(on_a.cookies)
        for browser, base in ((on_a, a.url), (on_b, b.url), (on_b, dep.url), (on_b, dep.url)):
            page = browser.get(f"{base}/register/", allow_redirects=False)
            assert page.status_code == 200, (base, page.status_code)
            assert "Cantine scolaire 2" in page.text

        # One worker holds the lock, the other stands by: queue on the host whose worker stands by.
        deadline = time.monotonic() + 30
        while _holder_pid() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        holder = next(h for h in dep.hosts if h.worker.pid == _holder_pid())
        first = next(h for h in dep.hosts if h is not holder)
        browser = on_a if first is a else on_b
        confirm = browser.get(f"{first.url}/register/export", params={"format": "xlsx"})
        token = CSRF.search(confirm.text).group(1)
        queued = browser.post(
            f"{first.url}/register/export",
            data={"format": "xlsx", "register": "list", "csrf_token": token},
            allow_redirects=False,
        )
        assert queued.status_code == 302 and "/exports/" in queued.headers["Location"]
        public_id = queued.headers["Location"].rstrip("/").rsplit("/", 1)[1]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = db.session.scalar(select(ExportJob).where(ExportJob.public_id == public_id))
            state, sha256 = job.state, job.sha256
            db.session.commit()
            if state == DONE:
                break
            time.sleep(0.3)
        assert state == DONE, dep.tail()
        holder_log = (holder.instance / "worker.log").read_text()
        assert "queues: {'exports': 1}" in holder_log  # the holder's worker built it
        assert "standing by" in (first.instance / "worker.log").read_text()

        download = browser.get(f"{first.url}/exports/{public_id}/file")
        assert download.status_code == 200
        assert download.content[:2] == b"PK"
        assert hashlib.sha256(download.content).hexdigest() == sha256

        # Each host's metrics add up its gunicorn processes; the facts name the lock holder.
        metrics = requests.get(
            f"{a.url}/metrics", headers={"Authorization": f"Bearer {dep.metrics_token}"}
        ).text
        assert 'rgpd_http_requests_total{endpoint="register.index",method="GET",status="200"}' in (
            metrics
        )
        assert 'pid="' in metrics and "rgpd_worker_lock_held 1.0" in metrics
        assert f"rgpd-worker {socket.gethostname()} {holder.worker.pid}" in metrics
        assert requests.get(f"{b.url}/metrics").status_code == 401
        health = requests.get(f"{dep.url}/readyz")
        assert health.status_code == 200 and "Set-Cookie" not in health.headers
