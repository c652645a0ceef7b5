"""Two complete app instances behind HAProxy on the loopback: the deployment of issue 19, point 1.

Each "host" has its own instance folder (mail, journal anchor, Prometheus multiprocess folder),
its gunicorn (`web_workers` processes) and its worker (`flask rgpd worker`); both share the
PostgreSQL database, Redis (rate limits), the storage root and a secrets folder (field keys and
evidence signing keys, as on the shared filesystem), and get the same RGPD_SECRET_KEY, as the
README's "Several machines" describes. HAProxy balances them (round robin, `/readyz` health
checks, X-Forwarded-For believed by RGPD_TRUSTED_PROXIES=1).

Used by tests/integration/test_two_instances.py and bench/load.py; by hand:
`python bench/deployment.py DATABASE_URL` starts it and waits (Ctrl-C stops it).
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers under its master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Host:
    name: str
    port: int
    instance: Path
    env: dict
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    logs: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self, web_workers: int) -> None:
        log = open(self.instance / "gunicorn.log", "ab")  # noqa: SIM115  (closed in stop)
        self.logs.append(log)
        self.web = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:rgpd_app.operations.gunicorn_hooks",
             "--workers", str(web_workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "rgpd_app:create_app()"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip

    def start_worker(self, interval: int) -> None:
        log = open(self.instance / "worker.log", "ab")  # noqa: SIM115
        self.logs.append(log)
        self.worker = subprocess.Popen(
            [str(BIN / "flask"), "--app", "rgpd_app", "rgpd", "worker",
             "--interval", str(interval)],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip

    def web_pids(self) -> list[int]:
        return children(self.web.pid) if self.web else []


class Deployment:
    def __init__(self, folder: Path, database_url: str, *, web_workers: int = 2,
                 worker_interval: int = 2, redis_url: str = "redis://127.0.0.1:6379/0",
                 extra_env: dict | None = None):  # fmt: skip
        self.folder = Path(folder)
        self.database_url = database_url
        self.web_workers = web_workers
        self.worker_interval = worker_interval
        self.metrics_token = secrets.token_urlsafe(24)
        self.storage = self.folder / "shared/storage"
        self.secrets = self.folder / "shared/secrets"
        common = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RGPD_")},
            "PYTHONPATH": str(ROOT),
            "RGPD_DATABASE_URL": database_url,
            "RGPD_SECRET_KEY": secrets.token_urlsafe(48),
            "RGPD_STORAGE_ROOT": str(self.storage),
            "RGPD_FIELD_KEYS_FILE": str(self.secrets / "field_keys.json"),
            "RGPD_SIGNING_KEYS_FILE": str(self.secrets / "signing-keys.json"),
            "RGPD_RATELIMIT_STORAGE_URL": redis_url,
            "RGPD_TRUSTED_PROXIES": "1",
            "RGPD_METRICS_TOKEN": self.metrics_token,
            "RGPD_WORKER_QUEUE_POLL_SECONDS": "1",
            **(extra_env or {}),
        }
        self.hosts = []
        for name in ("a", "b"):
            instance = self.folder / f"host-{name}"
            env = {
                **common,
                "RGPD_INSTANCE_PATH": str(instance),
                "PROMETHEUS_MULTIPROC_DIR": str(instance / "prometheus"),
            }
            self.hosts.append(Host(name, free_port(), instance, env))
        self.lb_port = free_port()
        self.haproxy: subprocess.Popen | None = None
        self.haproxy_log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    def _haproxy_config(self) -> str:
        servers = "\n".join(
            f"  server {h.name} 127.0.0.1:{h.port} check inter 1s fall 2 rise 1" for h in self.hosts
        )
        return f"""global
  maxconn 512
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  option forwardfor
  option redispatch
  retries 2
frontend web
  bind 127.0.0.1:{self.lb_port}
  default_backend app
backend app
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
{servers}
"""

    def start(self, timeout: float = 60) -> "Deployment":
        for folder in (self.storage, self.secrets, *(h.instance for h in self.hosts)):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for host in self.hosts:
            (host.instance / "prometheus").mkdir(exist_ok=True, mode=0o700)
            host.start_web(self.web_workers)
            host.start_worker(self.worker_interval)
        config = self.folder / "haproxy.cfg"
        config.write_text(self._haproxy_config())
        self.haproxy_log = open(self.folder / "haproxy.log", "ab")  # noqa: SIM115
        self.haproxy = subprocess.Popen(
            [shutil.which("haproxy") or "haproxy", "-db", "-f", str(config)],
            stdout=subprocess.DEVNULL, stderr=self.haproxy_log, start_new_session=True,
        )  # fmt: skip
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        """Until each host's /readyz and the balancer's answer 200."""
        deadline = time.monotonic() + timeout
        pending = [*(h.url for h in self.hosts), self.url]
        while pending:
            try:
                with urllib.request.urlopen(pending[0] + "/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        pending.pop(0)
                        continue
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout} s: {pending[0]}\n{self.tail()}")
            time.sleep(0.2)

    def tail(self) -> str:
        texts = []
        for path in sorted(self.folder.glob("**/*.log")):
            texts.append(f"--- {path.name} ({path.parent.name})\n{path.read_text()[-1500:]}")
        return "\n".join(texts)

    def stop(self) -> None:
        procs = [self.haproxy, *(p for h in self.hosts for p in (h.web, h.worker))]
        for proc in procs:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            if proc is not None:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for log in [self.haproxy_log, *(log for h in self.hosts for log in h.logs)]:
            if log is not None:
                log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder, Deployment(Path(folder), sys.argv[1]) as dep:
        print(f"balancer {dep.url}; hosts {[h.url for h in dep.hosts]}; Ctrl-C stops")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
