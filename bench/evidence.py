"""Time, peak memory and size of an evidence pack for one large municipality.

Run: .venv/bin/python bench/evidence.py [--processings 10000] [--journal 200000] [--postgres]

A fresh database (SQLite under a temporary folder, or PostgreSQL on 127.0.0.1:5432 with
`--postgres`) is filled in bulk: one municipality with N processings (each with its history
snapshot, which the pack's register is read from), the journal rows (one in four of the
municipality, the rest of another one, as a shared journal is), all sealed. Then a child process
builds the pack (`services.build_pack`, the code the worker runs) and a second child only loads
the app reading the same register without building (the anchor): peak RSS is each child's ru_maxrss
(wait4). Figures are printed, never asserted.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = r"""
import json, sys, time
from datetime import UTC, datetime, timedelta
sys.path.insert(0, ROOT)
from rgpd_app import create_app
from rgpd_app.extensions import db

app = create_app({"SQLALCHEMY_DATABASE_URI": URL, "INSTANCE_PATH": INSTANCE, "SECRET_KEY": "b"})
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
"""

FILL = r"""
from sqlalchemy import insert
from rgpd_app.demo.data import PROCESSINGS
from rgpd_app.journal import services as journal
from rgpd_app.journal.models import JournalEntry
from rgpd_app.organisations import services as organisations
from rgpd_app.register.models import ProcessingActivity, ProcessingVersion

with app.app_context():
    db.drop_all()
    db.create_all()
    organisations.create_organisation({"name": "Logiciels Publics", "siren": "452109861",
        "departement": "35", "dpo_email": "dpo@lp.example"}, is_processor=True, actor=None, now=NOW)
    town = organisations.create_organisation({"name": "Grande Ville", "siren": "215704636",
        "departement": "57", "dpo_email": "dpo@ville.example"}, actor=None, now=NOW)
    other = organisations.create_organisation({"name": "Autre Ville", "siren": "213502388",
        "departement": "35", "dpo_email": "dpo@autre.example"}, actor=None, now=NOW)
    start = NOW - timedelta(days=200)
    for first in range(0, PROCESSINGS_N, 2000):
        batch = range(first, min(first + 2000, PROCESSINGS_N))
        db.session.execute(insert(ProcessingActivity), [
            {"id": i + 1, "controller_id": town.id, "name": f"Traitement {i:05d}",
             "status": "validated", "version": 1, "created_at": start, "updated_at": start}
            for i in batch])
        db.session.execute(insert(ProcessingVersion), [
            {"activity_id": i + 1, "controller_id": town.id, "version": 1, "action": "created",
             "changed_at": start, "snapshot": json.dumps({"id": i + 1, "controller_id": town.id,
              **PROCESSINGS[i % len(PROCESSINGS)], "name": f"Traitement {i:05d}",
              "status": "validated", "version": 1, "updated_at": start.isoformat()},
              ensure_ascii=False)} for i in batch])
        db.session.commit()
    for first in range(0, JOURNAL_N, 10000):
        db.session.execute(insert(JournalEntry), [
            {"at": start + timedelta(seconds=i * 60), "user_id": None,
             "user_email": "agent@ville.example",
             "organisation_id": town.id if i % 4 == 0 else other.id, "action": "register.read",
             "object_type": "processing_activity", "object_id": str(i % 9999 + 1),
             "ip": "10.0.0.1", "user_agent": "Firefox", "details": json.dumps({"page": i % 7})}
            for i in range(first, min(first + 10000, JOURNAL_N))])
        db.session.commit()
    journal.seal(now=NOW)
print("filled")
"""

BUILD = r"""
import resource
from datetime import date
from rgpd_app.evidence import services

with app.app_context():
    controller = services.controller_by_siren("215704636")
    period = services.period_of(date(2026, 1, 1), NOW.date(), now=NOW)
    if MODE == "anchor":  # the same app, reading the register the pack reads, without a pack
        t = time.perf_counter()
        from rgpd_app.evidence import pack  # noqa: F401  (the modules the build imports)
        from rgpd_app.evidence.contents import Scope
        from rgpd_app.evidence.register_files import snapshots
        count = sum(1 for _ in snapshots(Scope(controller, period.start, period.end)))
        print(time.perf_counter() - t, 0, count)
    elif MODE == "build":
        t = time.perf_counter()
        built = services.build_pack(controller, period, Path(INSTANCE) / "pack.zip",
                                    password="Mot-de-passe-bench-2026", actor=None, now=NOW)
        print(time.perf_counter() - t, built.size)
    else:
        t = time.perf_counter()
        problems = services.verify(Path(INSTANCE) / "pack.zip", "Mot-de-passe-bench-2026", now=NOW)
        print(time.perf_counter() - t, len(problems))
"""


def run(code: str, **names) -> tuple[list[str], float]:
    """A child whose peak RSS we read with wait4 (not Popen.wait, which reaps it first)."""
    prelude = "".join(f"{k} = {v!r}\n" for k, v in names.items()) + "from pathlib import Path\n"
    proc = subprocess.Popen([sys.executable, "-c", prelude + SETUP + code],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("child failed")
    return out.split(), usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processings", type=int, default=10_000)
    parser.add_argument("--journal", type=int, default=200_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = ("postgresql+psycopg://postgres@127.0.0.1:5432/test" if args.postgres
               else f"sqlite:///{folder}/bench.sqlite3")  # fmt: skip
        common = {"ROOT": str(ROOT), "URL": url, "INSTANCE": folder}
        run(FILL, PROCESSINGS_N=args.processings, JOURNAL_N=args.journal, **common)
        anchor, anchor_rss = run(BUILD, MODE="anchor", **common)
        (seconds, size), rss = run(BUILD, MODE="build", **common)
        (verify_seconds, problems), verify_rss = run(BUILD, MODE="verify", **common)
        print(
            f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; "
            f"{args.processings} processings, {args.journal} journal rows "
            f"({args.journal // 4} of the municipality)"
        )
        print(
            f"anchor (app + the register streamed, no pack): {float(anchor[0]):.2f} s, "
            f"peak RSS {anchor_rss:.0f} MB"
        )
        print(
            f"pack built: {float(seconds):.1f} s, peak RSS {rss:.0f} MB "
            f"(+{rss - anchor_rss:.0f} MB over the anchor), {int(size) / 1e6:.1f} MB zip"
        )
        print(
            f"pack verified: {float(verify_seconds):.1f} s, peak RSS {verify_rss:.0f} MB, "
            f"{problems} problem(s)"
        )


if __name__ == "__main__":
    main()
