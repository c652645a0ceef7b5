"""The register list page under gunicorn, next to a bare Flask app showing the same rows.

Run: .venv/bin/python bench/web.py [--towns 1500] [--per-town 30] [--backend postgres|sqlite]
                                   [--seconds 20] [--connections 4] [--workers 2]

It builds the register of bench/register.py (`towns` × `per-town` processings, bulk inserts) in
a database `rgpd_bench` on RGPD_BENCH_POSTGRES_URL's server (default the test server; dropped at
the end) or in a SQLite file, then serves, one after the other, with gunicorn (`workers`
processes on 127.0.0.1, a free port, no access log):

- the application (`rgpd_app:create_app()`, CSRF and rate limits on, as deployed), signed in as
  the processor DPO through the real login form and its two-factor step;
- bench/bare_web.py: a bare Flask app, one SQLAlchemy Core query of the same first 25 rows
  with the municipality name, rendered by a small Jinja table, no session.

Each is loaded with wrk (`--latency`, `connections` keep-alive connections, one thread) on
`/register/` for 3 s of warm-up then `seconds` s; the figures are wrk's requests/s, p50 and p99,
and the ratio app/bare. The client shares the machine's cores with the servers, the same way
for both. The page's size is that of one answer, as-is and without the municipality `<select>`
of the filters. Figures are printed, never asserted.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.register import PASSWORD, UA, build, drop_postgres, make_app, postgres_url  # noqa: E402

SECRET = "bench"  # make_app's SECRET_KEY: the sessions the builder and the servers sign agree
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SELECT = re.compile(r'<select id="controller_id".*?</select>', re.S)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `target` in its own process group; returns it and its base URL."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", target],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn {target} exited ({server.returncode})") from None
            time.sleep(0.2)
    stop(server)
    raise SystemExit(f"gunicorn {target} did not listen within 60 s")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def sign_in(base: str, totp_secret: str) -> str:
    """The real login form, then its code step; returns the `session` cookie's value."""
    import pyotp

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", UA)]

    def post(path: str, fields: dict) -> str:
        token = CSRF.search(opener.open(base + path).read().decode()).group(1)
        data = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        with opener.open(base + path, data=data) as answer:
            return answer.url

    assert post("/login", {"email": "dpo@bench.example", "password": PASSWORD}).endswith(
        "/login/code"
    )
    landed = post("/login/code", {"code": pyotp.TOTP(totp_secret).now()})
    assert not landed.rstrip("/").endswith(("/login", "/login/code")), landed
    return next(c.value for c in jar if c.name == "session")


def fetch(url: str, cookie: str | None) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": UA})
    if cookie:
        request.add_header("Cookie", f"session={cookie}")
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200 and answer.url == url, (answer.status, answer.url)
        return answer.read()


def wrk(url: str, cookie: str | None, seconds: int, connections: int) -> dict:
    headers = ["-H", f"User-Agent: {UA}"] + (["-H", f"Cookie: session={cookie}"] if cookie else [])
    base = ["wrk", "-t1", f"-c{connections}", "--latency", "--timeout", "10s", *headers, url]
    subprocess.run([*base[:1], "-d3s", *base[1:]], check=True, capture_output=True)  # warm-up
    out = subprocess.run([*base[:1], f"-d{seconds}s", *base[1:]], check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(pct: str) -> float:
        value, scale = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * unit[scale]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    read = re.search(r"requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", out).groups()
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[read[1]]
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": requests,
        "errors": int(errors.group(1)) if errors else 0,
        "bytes": float(read[0]) * scale / max(requests, 1),
    }


def prepare(url: str, instance: str, args) -> tuple[dict, str]:
    """bench/register.py's register, and a second factor for its DPO (as enrolled)."""
    import pyotp

    from rgpd_app.accounts.models import User
    from rgpd_app.extensions import db

    app = make_app(url, instance)
    started = time.perf_counter()
    built = build(app, args.towns, args.per_town, 0)
    secret = pyotp.random_base32()
    with app.app_context():
        user = db.session.get(User, built["user_id"])
        user.totp_secret, user.totp_enabled_at = secret, user.created_at
        db.session.commit()
        db.engine.dispose()
    print(f"built {built['entries']} entries in {args.towns} municipalities "
          f"({built['rows']} rows in all) in {time.perf_counter() - started:.1f} s")  # fmt: skip
    return built, secret


def run(url: str, instance: str, args) -> None:
    _, secret = prepare(url, instance, args)
    env = {"RGPD_DATABASE_URL": url, "RGPD_INSTANCE_PATH": instance, "RGPD_SECRET_KEY": SECRET}
    results = {}
    server, base = serve("rgpd_app:create_app()", env, args.workers)
    try:
        cookie = sign_in(base, secret)
        page = fetch(f"{base}/register/", cookie)
        results["app"] = wrk(f"{base}/register/", cookie, args.seconds, args.connections)
        fetch(f"{base}/register/", cookie)  # still signed in: wrk measured the page
    finally:
        stop(server)
    server, base = serve("bench.bare_web:app", env, args.workers)
    try:
        bare = fetch(f"{base}/register/", None)
        results["bare"] = wrk(f"{base}/register/", None, args.seconds, args.connections)
    finally:
        stop(server)
    print(f"{'':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'non-2xx':>9}"
          f"{'B/answer':>10}")  # fmt: skip
    for label, r in (("application", results["app"]), ("bare Flask", results["bare"])):
        print(f"{label:<22}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['requests']:>10}"
              f"{r['errors']:>9}{r['bytes']:>10.0f}")  # fmt: skip
    print(f"ratio application / bare: {results['app']['rps'] / results['bare']['rps']:.2f}")
    without = len(SELECT.sub("", page.decode()).encode())
    print(
        f"list page: {len(page)} B ({len(page) / 1024:.1f} kB); without the municipality "
        f"<select>: {without} B ({without / 1024:.1f} kB); bare page: {len(bare)} B"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=1500)
    parser.add_argument("--per-town", type=int, default=30)
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    print(
        f"load average at start: {os.getloadavg()}, {os.cpu_count()} CPUs; gunicorn "
        f"{args.workers} workers, wrk {args.connections} connections, {args.seconds} s"
    )
    with tempfile.TemporaryDirectory(prefix="rgpd-bench-web-") as tmp:
        if args.backend == "sqlite":
            run(f"sqlite:///{tmp}/bench.sqlite3", f"{tmp}/instance", args)
        else:
            url = postgres_url()
            if url is None:
                raise SystemExit("PostgreSQL unreachable: try --backend sqlite")
            try:
                run(url, f"{tmp}/instance", args)
            finally:
                drop_postgres()
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
