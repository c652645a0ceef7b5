"""A Monday morning on the two-instance deployment of issue 19 (bench/deployment.py), with faults.

Run: .venv/bin/python bench/load.py [--seconds 180] [--clients 8] [--towns 16] [--no-faults]

It starts a private PostgreSQL cluster (initdb on a free port, so that restarting it disturbs
nobody), migrates it, builds `towns` municipalities (30 processings each, a DPO with an API
token) and a sub-processor change notified to all of them, then starts the deployment: two
hosts (gunicorn with 2 processes and a worker each) behind HAProxy. `clients` threads, one
municipality's DPO each, signed in through the balancer's login form, loop over the mix:

  register page 30 %, register search 15 %, exports list 5 %, API list 25 %, API detail 10 %,
  API create (POST) 8 %, objection (POST, once per town, then refused) 4 %, export queued 3 %

During the run, unless --no-faults: at 20 % kill -9 of one gunicorn process of host a (its
master starts another), at 40 % kill -9 of the worker holding the advisory lock (the standby's
takeover is timed; the killed one is started again, as systemd would), at 60 % a restart of
PostgreSQL (recovery: until the balancer's /readyz and a signed-in page answer again).

Printed: req/s, p50/p95/p99 and errors per endpoint, failed requests around each fault, the
worker's lag (export queued → built), the peak RSS of each process, and the checks: every
2xx POST is in the database exactly once, every queued export was built, the journal
verifies. Figures are printed, never asserted.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.deployment import BIN, Deployment, free_port, rss_mb  # noqa: E402

PASSWORD = "Vaste-plaine-sous-la-neige-42"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
MIX = [
    ("register page", 30),
    ("register search", 15),
    ("exports list", 5),
    ("api list", 25),
    ("api detail", 10),
    ("api create", 8),
    ("objection", 4),
    ("export queued", 3),
]


# --- A private PostgreSQL cluster -----------------------------------------------------------


class PrivatePostgres:
    def __init__(self, folder: Path):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            raise SystemExit("initdb not found: apt-get install postgresql")
        self.bin = bins[-1].parent
        self.data = folder / "pgdata"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/rgpd"

    def _as_postgres(self, *command) -> None:
        runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*runner, *command], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{command[0]} failed: {done.stderr[-800:]}")

    def start(self) -> None:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
        self._as_postgres(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        self._ctl("start")
        self._as_postgres(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "rgpd",
        )

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-o",
            options,
            "-l",
            str(self.data / "server.log"),
            action,
        )

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        self._ctl("stop")


# --- The data ---------------------------------------------------------------------------------


def build(dep: Deployment, towns: int) -> list[dict]:
    """Municipalities with their DPO, API token, processings and an open objection window."""
    from rgpd_app import create_app
    from rgpd_app.accounts import tokens
    from rgpd_app.accounts.users import services as management
    from rgpd_app.extensions import db
    from rgpd_app.foundation.actor import actor_for
    from rgpd_app.organisations import services as organisations
    from rgpd_app.register.models import ProcessingActivity
    from rgpd_app.subprocessors import services as subprocessors
    from tests.conftest import valid_siren
    from tests.subprocessor_support import notice_data, sub_data

    env = dep.hosts[0].env
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": dep.database_url,
            "INSTANCE_PATH": str(dep.folder / "builder"),
            "FIELD_KEYS_FILE": env["RGPD_FIELD_KEYS_FILE"],
            "SIGNING_KEYS_FILE": env["RGPD_SIGNING_KEYS_FILE"],
            "STORAGE_ROOT": str(dep.storage),
        }
    )
    now = datetime.now(UTC)
    people = []
    with app.app_context():
        processor = organisations.create_organisation(
            {"name": "Logiciels Publics", "siren": valid_siren(90000001), "departement": "35"},
            is_processor=True,
            actor=None,
            now=now,
        )
        keeper = management.create_user(
            email="dpo@logiciels.example",
            name="DPO",
            organisation=processor,
            password=PASSWORD,
            role="processor_dpo",
            actor=None,
            now=now,
        )
        for n in range(towns):
            town = organisations.create_organisation(
                {
                    "name": f"Commune {n:03d}",
                    "siren": valid_siren(21000000 + n * 7),
                    "departement": ["35", "57", "68", "29"][n % 4],
                    "dpo_email": f"dpo{n}@commune.example",
                },
                is_processor=False,
                actor=None,
                now=now,
            )
            user = management.create_user(
                email=f"dpo{n}@commune.example",
                name=f"DPO {n}",
                organisation=town,
                password=PASSWORD,
                role="controller_dpo",
                actor=None,
                now=now,
            )
            for k in range(30):
                db.session.add(
                    ProcessingActivity(
                        controller_id=town.id,
                        name=f"Cantine scolaire {k}" if k % 3 else f"État civil {k}",
                        operations='["hosting"]',
                        created_at=now,
                        updated_at=now,
                    )
                )
            db.session.commit()
            token = tokens.create_token(user, label="bench", actor=None, now=now)
            people.append({"email": user.email, "token": token, "town_id": town.id})
        actor = actor_for(keeper, now)
        sub = subprocessors.catalogue.create_subprocessor(sub_data(), actor=actor, now=now)
        start = (now + timedelta(days=60)).date()
        notice = subprocessors.notices.create_notice(
            notice_data(
                sub.id, contract_start_on=start, contract_end_on=start + timedelta(days=1000)
            ),
            actor=actor,
            now=now,
        )
        notice = subprocessors.notices.send_notice(notice.id, actor=actor, now=now)
        by_town = {r.organisation_id: r.id for r in notice.recipients}
        for person in people:
            person["objection"] = f"/api/v1/subprocessor-notices/{notice.id}/recipients/" + str(
                by_town[person["town_id"]]
            )
        db.session.remove()
        db.engine.dispose()
    return people


# --- The load -------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = defaultdict(list)  # endpoint → [(t, seconds, status)]
        self.created = []  # names of processings answered 2xx
        self.maybe_created = []  # POSTs without an answer (connection lost): may or may not be in
        self.objections = []  # recipient URLs answered 2xx
        self.exports = {}  # public id → queued at (monotonic)

    def add(self, endpoint, started, status):
        with self.lock:
            self.samples[endpoint].append((started, time.monotonic() - started, status))


def sign_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    for _ in range(30):
        try:
            token = CSRF.search(browser.get(f"{base}/login", timeout=10).text).group(1)
            answer = browser.post(
                f"{base}/login",
                data={"email": email, "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
                timeout=10,
            )
            if answer.status_code == 302:
                return browser
        except (requests.RequestException, AttributeError):
            pass
        time.sleep(1)
    raise RuntimeError(f"cannot sign in {email}")


def client(base: str, person: dict, rec: Recorder, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    browser = sign_in(base, person["email"])
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {person['token']}"
    names, weights = zip(*MIX, strict=True)
    objected = False
    while not stop.is_set():
        action = rnd.choices(names, weights)[0]
        if action == "objection" and objected:
            action = "api list"
        started = time.monotonic()
        status = 0
        try:
            if action == "register page":
                status = browser.get(f"{base}/register/", timeout=30).status_code
            elif action == "register search":
                status = browser.get(
                    f"{base}/register/", params={"q": "cantine"}, timeout=30
                ).status_code
            elif action == "exports list":
                status = browser.get(f"{base}/exports", timeout=30).status_code
            elif action == "api list":
                status = api.get(f"{base}/api/v1/processings", timeout=30).status_code
            elif action == "api detail":
                listed = api.get(f"{base}/api/v1/processings", params={"per_page": 5}, timeout=30)
                status = listed.status_code
                if status == 200 and listed.json()["items"]:
                    item = rnd.choice(listed.json()["items"])
                    started = time.monotonic()
                    status = api.get(
                        f"{base}/api/v1/processings/{item['id']}", timeout=30
                    ).status_code
            elif action == "api create":
                name = f"Bench {uuid.uuid4().hex[:12]}"
                try:
                    answer = api.post(f"{base}/api/v1/processings", json={"name": name}, timeout=30)
                except requests.RequestException:
                    with rec.lock:
                        rec.maybe_created.append(name)
                    raise
                status = answer.status_code
                with rec.lock:
                    (rec.created if status < 300 else rec.maybe_created).append(name)
            elif action == "objection":
                answer = api.post(
                    f"{base}{person['objection']}/objection",
                    json={"reason": "Hébergeur hors de notre marché"},
                    timeout=30,
                )
                status = answer.status_code
                objected = status < 500
                if status < 300:
                    with rec.lock:
                        rec.objections.append(person["objection"])
            elif action == "export queued":
                page = browser.get(f"{base}/register/export", params={"format": "xlsx"}, timeout=30)
                token = CSRF.search(page.text)
                if token:
                    answer = browser.post(
                        f"{base}/register/export",
                        data={"format": "xlsx", "register": "list", "csrf_token": token.group(1)},
                        allow_redirects=False,
                        timeout=30,
                    )
                    status = answer.status_code
                    if status == 302 and "/exports/" in answer.headers.get("Location", ""):
                        public_id = answer.headers["Location"].rstrip("/").rsplit("/", 1)[1]
                        with rec.lock:
                            rec.exports[public_id] = started
                else:
                    status = page.status_code
        except requests.RequestException:
            status = 0  # connection reset or timeout: a failed request
        rec.add(action, started, status)


# --- Faults ---------------------------------------------------------------------------------


def holder_pid(dep: Deployment) -> int | None:
    import psycopg

    url = dep.database_url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = %s",
                (0x52475044,),
            ).fetchone()
    except psycopg.Error:
        return None
    return int(row[0].rsplit(" ", 1)[1]) if row and row[0] else None


def faults(dep, pg, stop, events, seconds, browser_for_probe):
    def at(fraction):
        while time.monotonic() < start + seconds * fraction:
            if stop.wait(0.2):
                return False
        return True

    start = time.monotonic()
    if at(0.2):
        victim = dep.hosts[0].web_pids()[0]
        os.kill(victim, signal.SIGKILL)
        events.append(("kill -9 gunicorn process of host a", time.monotonic(), None))
    if at(0.4):
        pid = holder_pid(dep)
        host = next(h for h in dep.hosts if h.worker.pid == pid)
        killed = time.monotonic()
        host.worker.kill()
        host.worker.wait()
        while holder_pid(dep) in (None, pid) and time.monotonic() - killed < 120:
            time.sleep(0.05)
        events.append(("kill -9 active worker", killed, time.monotonic() - killed))
        host.start_worker(dep.worker_interval)  # its supervisor starts it again
    if at(0.6):
        began = time.monotonic()
        pg.restart()
        restarted = time.monotonic()
        while time.monotonic() - began < 120:
            try:
                ok = requests.get(f"{dep.url}/readyz", timeout=2).status_code == 200
                ok = (
                    ok
                    and browser_for_probe.get(f"{dep.url}/register/", timeout=5).status_code == 200
                )
            except requests.RequestException:
                ok = False
            if ok:
                break
            time.sleep(0.05)
        events.append(("PostgreSQL restart", began, time.monotonic() - began, restarted - began))


def sample_rss(dep, stop, peaks):
    while not stop.wait(1):
        for host in dep.hosts:
            for pid in [host.web.pid, *host.web_pids()]:
                role = "master" if pid == host.web.pid else "worker"
                key = f"host {host.name} gunicorn {role} {pid}"
                peaks[key] = max(peaks.get(key, 0), rss_mb(pid))
            key = f"host {host.name} worker {host.worker.pid}"
            peaks[key] = max(peaks.get(key, 0), rss_mb(host.worker.pid))
        peaks["haproxy"] = max(peaks.get("haproxy", 0), rss_mb(dep.haproxy.pid))


# --- Report ---------------------------------------------------------------------------------


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def check(dep: Deployment, rec: Recorder) -> dict:
    import psycopg

    url = dep.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        counts = dict(
            conn.execute(
                "SELECT name, count(*) FROM processing_activity WHERE name LIKE 'Bench %%'"
                " GROUP BY name"
            ).fetchall()
        )
        states = dict(conn.execute("SELECT public_id, state FROM export_job").fetchall())
        unbuilt = conn.execute(
            "SELECT state, attempts, error FROM export_job WHERE state <> 'done'"
        ).fetchall()
        objections = conn.execute(
            "SELECT count(*) FROM journal_entry WHERE action = 'subprocessor_notice.objected'"
        ).fetchone()[0]
    in_once = sum(1 for n in rec.created if counts.get(n) == 1)
    return {
        "2xx creates": len(rec.created),
        "2xx creates in the database exactly once": in_once,
        "rows of creates not answered 2xx (answer lost)": sum(
            1 for n in rec.maybe_created if counts.get(n)
        ),
        "duplicated rows": sum(1 for c in counts.values() if c > 1),
        "2xx objections": len(rec.objections),
        "objections journaled": objections,
        "exports queued": len(rec.exports),
        "exports built": sum(1 for p in rec.exports if states.get(p) == "done"),
        "exports not built (state, attempts, error)": [list(row) for row in unbuilt],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--towns", type=int, default=16)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rgpd-load-"))
    folder.chmod(0o711)  # the postgres user reaches its data folder inside
    pg = PrivatePostgres(folder / "pg")
    pg.start()
    try:
        run(args, folder, pg)
    finally:
        pg.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run(args, folder: Path, pg: PrivatePostgres) -> None:
    dep = Deployment(
        folder / "deployment",
        pg.url,
        worker_interval=5,
        extra_env={
            "RGPD_EXPORT_INLINE_XLSX": "0",
            "RGPD_RATELIMIT_LOGIN": "1000 per minute",
            "RGPD_JOURNAL_ANCHOR_DAYS": "0",
        },
    )
    for folder_ in (dep.storage, dep.secrets):
        folder_.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = dep.hosts[0].env
    subprocess.run(
        [str(BIN / "flask"), "--app", "rgpd_app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    built = time.monotonic()
    people = build(dep, args.towns)
    print(f"built {args.towns} towns × 30 processings in {time.monotonic() - built:.1f} s")
    with dep:
        deadline = time.monotonic() + 60  # the workers send the notices: the windows open
        rec, stop, events, peaks = Recorder(), threading.Event(), [], {}
        print(f"deployment up: balancer {dep.url}, hosts {[h.url for h in dep.hosts]}")
        while time.monotonic() < deadline and open_windows(dep) < len(people):
            time.sleep(1)
        print(f"objection windows open: {open_windows(dep)} of {len(people)}")
        threads = [
            threading.Thread(target=client, args=(dep.url, people[i % len(people)], rec, stop, i))
            for i in range(args.clients)
        ]
        probe = sign_in(dep.url, people[0]["email"])
        side = [threading.Thread(target=sample_rss, args=(dep, stop, peaks))]
        if not args.no_faults:
            side.append(
                threading.Thread(target=faults, args=(dep, pg, stop, events, args.seconds, probe))
            )
        began = time.monotonic()
        for thread in threads + side:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads + side:
            thread.join()
        elapsed = time.monotonic() - began
        lags = wait_exports(dep, rec)
        report(rec, events, peaks, elapsed, began, lags)
        print(json.dumps(check(dep, rec), indent=1))
        seal, verify = (
            subprocess.run([str(BIN / "flask"), "--app", "rgpd_app", "rgpd", "journal", step],
                           cwd=ROOT, env=env, capture_output=True, text=True)
            for step in ("seal", "verify")
        )  # fmt: skip
        print("journal seal:", seal.stdout.strip() or seal.stderr.strip()[-300:])
        print("journal verify:", verify.returncode, (verify.stdout + verify.stderr).strip()[-300:])


def open_windows(dep) -> int:
    import psycopg

    url = dep.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM subprocessor_notice_recipient WHERE state = 'open'"
        ).fetchone()[0]


def wait_exports(dep, rec, timeout=120) -> list[float]:
    import psycopg

    url = dep.database_url.replace("postgresql+psycopg://", "postgresql://")
    deadline = time.monotonic() + timeout
    lags = {}
    while time.monotonic() < deadline:
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT public_id, state, requested_at, finished_at FROM export_job"
            ).fetchall()
        pending = [r for r in rows if r[0] in rec.exports and r[1] in ("queued", "running")]
        for public_id, state, requested, finished in rows:
            if state == "done" and finished is not None:
                lags[public_id] = (finished - requested).total_seconds()
        if not pending:
            break
        time.sleep(1)
    return list(lags.values())


def report(rec, events, peaks, elapsed, began, lags) -> None:
    total = sum(len(v) for v in rec.samples.values())
    failed = sum(1 for v in rec.samples.values() for _, _, s in v if s == 0 or s >= 500)
    print(
        f"\n{total} requests in {elapsed:.0f} s: {total / elapsed:.1f} req/s, "
        f"{failed} failed (connection error or 5xx)"
    )
    print("| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | 4xx | failed |")
    print("|---|---|---|---|---|---|---|---|")
    for name, _ in MIX:
        samples = rec.samples.get(name, [])
        times = [d * 1000 for _, d, s in samples if 0 < s < 500]
        fails = sum(1 for _, _, s in samples if s == 0 or s >= 500)
        client_errors = sum(1 for _, _, s in samples if 400 <= s < 500)
        print(
            f"| {name} | {len(samples)} | {len(samples) / elapsed:.1f} | "
            f"{percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} | "
            f"{percentile(times, 0.99):.0f} | {client_errors} | {fails} |"
        )
    for name, at, took, *rest in events:
        fails = [t for v in rec.samples.values() for t, _, s in v if s == 0 or s >= 500]
        during = sum(1 for t in fails if at - 0.5 <= t <= at + (took or 1))
        after = sum(1 for t in fails if at + (took or 1) < t <= at + (took or 1) + 5)
        extra = f", database accepting again after {rest[0]:.2f} s" if rest else ""
        timing = f"recovered/taken over after {took:.2f} s" if took is not None else "—"
        print(
            f"fault at {at - began:.0f} s: {name}: {timing}{extra}; failed requests: "
            f"{during} during it, {after} in the 5 s after"
        )
    if lags:
        print(
            f"worker lag (export queued → built): p50 {statistics.median(lags):.1f} s, "
            f"max {max(lags):.1f} s over {len(lags)} exports"
        )
    print("peak RSS (MB):")
    for key, value in sorted(peaks.items()):
        print(f"  {key}: {value:.0f}")


if __name__ == "__main__":
    main()
