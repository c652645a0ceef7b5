"""The backup and restore drill of the README, timed: the commands an operator runs.

Run: .venv/bin/python bench/backup_drill.py [--municipalities 200]

On RGPD_BENCH_POSTGRES_URL's server (default the test server), in databases `rgpd_drill` and
`rgpd_drill_restored` (dropped at the end): `flask db upgrade`, `flask rgpd demo` with
`municipalities` generated towns, the worker's round (seals), then, timed: `flask rgpd backup`,
`createdb`, `flask rgpd restore` from another instance folder, `flask rgpd journal verify` and a
worker round on the restored database (nothing resent). Figures are printed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
ADMIN = os.environ.get("RGPD_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "drill-password-0123456789"


def flask(env: dict, *args: str, stdin: str | None = None) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run([FLASK, "--app", "rgpd_app", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-2000:]}")
    return time.monotonic() - started, done.stdout.strip()


def recreate(name: str) -> str:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop(name: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = {k: v for k, v in os.environ.items() if not k.startswith("RGPD_")}
        source = {**base, "PYTHONPATH": str(ROOT), "RGPD_DATABASE_URL": recreate("rgpd_drill"),
                  "RGPD_INSTANCE_PATH": f"{folder}/source", "RGPD_JOURNAL_ANCHOR_DAYS": "0",
                  "RGPD_BACKUP_PASSWORD": PASSWORD}  # fmt: skip
        try:
            flask(source, "db", "upgrade")
            took, _ = flask(source, "rgpd", "demo", "--municipalities", str(args.municipalities))
            print(f"demo + {args.municipalities} municipalities loaded in {took:.1f} s")
            flask(source, "rgpd", "worker", "--once")
            Path(folder, "backups").mkdir()
            took, out = flask(source, "rgpd", "backup", f"{folder}/backups")
            (archive,) = Path(folder, "backups").glob("*.zip")
            size = archive.stat().st_size / 1e6
            print(f"flask rgpd backup: {took:.2f} s, {size:.1f} MB archive")
            started = time.monotonic()
            target = {**source, "RGPD_DATABASE_URL": recreate("rgpd_drill_restored"),
                      "RGPD_INSTANCE_PATH": f"{folder}/restored"}  # fmt: skip
            print(f"createdb: {time.monotonic() - started:.2f} s")
            took, out = flask(target, "rgpd", "restore", str(archive))
            print(f"flask rgpd restore: {took:.2f} s — {out}")
            took, out = flask(target, "rgpd", "journal", "verify")
            print(f"flask rgpd journal verify: {took:.2f} s — {out}")
            took, out = flask(target, "rgpd", "worker", "--once")
            print(f"worker round on the restored database: {took:.2f} s")
            _, out = flask(target, "rgpd", "status")
            print(out)
        finally:
            drop("rgpd_drill")
            drop("rgpd_drill_restored")


if __name__ == "__main__":
    main()
