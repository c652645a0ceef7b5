"""The register at scale: list and detail pages, and the full Art. 30(2) export in each format.

Run: .venv/bin/python bench/register.py [--towns 1500] [--per-town 30] [--reps 50]
                                        [--backends sqlite,postgres] [--big 500] [--full-pdf]

For each backend it builds a register of `towns` municipalities × `per-town` processings (bulk
inserts: a few minutes at most), plus one municipality of `big` processings for a PDF of its
art. 30(1) register (`--full-pdf` adds the PDF of the whole art. 30(2) register: ~20 minutes
per backend), on SQLite (a file in a temporary folder) and on PostgreSQL (a
database `rgpd_bench` created on RGPD_BENCH_POSTGRES_URL's server, default the test server, and
dropped at the end; skipped with a message when unreachable).

Pages are measured through the Flask test client logged in as the processor DPO, so routing,
the queries and the template rendering all count: p50/p95 over `reps` requests after 3 warm-up
ones. Each export runs in a fresh child process that logs in the same way and reads the answer
to its end; a long export (XLSX, ODS, PDF past EXPORT_INLINE_MAX_ROWS) answers with its job
page, and the child then builds it as the worker does and downloads the file: its time is the
request's (or request + build + download), its memory the child's peak RSS (VmHWM of
/proc/self/status: ru_maxrss would count the parent's pages the child held until its exec),
next to a "baseline" child that sets up the same app and logs in without exporting. A PDF of
several chunks is laid out by renderer processes: "renderer MB" is the largest one's peak.
Figures are printed, never asserted.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = os.environ.get(
    "RGPD_BENCH_POSTGRES_URL",
    os.environ.get("RGPD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
PG_DB = "rgpd_bench"
UA = "bench-client"
# The DPO's password: past the account rules (no part of the name, not a common word).
PASSWORD = "Cassiopée-Lanterne-Ruisseau-47"
STANDARD = [
    "Instruction des autorisations d'urbanisme", "Gestion de l'état civil", "Listes électorales",
    "Cantine scolaire", "Accueil périscolaire", "Paie des agents", "Gestion des carrières",
    "Recensement citoyen", "Cimetières et concessions", "Facturation de l'eau",
    "Inscriptions scolaires", "Action sociale (CCAS)", "Bibliothèque municipale",
    "Vidéoprotection", "Police municipale", "Location de salles", "Marchés publics",
    "Délibérations et arrêtés", "Courrier entrant", "Relation usagers", "Taxe de séjour",
    "Associations et subventions", "Crèche municipale", "Cadastre et foncier",
    "Urbanisme : certificats", "Permis de louer", "Logement social", "Transport scolaire",
    "Sport et piscine", "Portail citoyen",
]  # fmt: skip


def siren(seed: int) -> str:
    base = f"{seed:08d}"
    for check in "0123456789":
        digits = [int(c) for c in reversed(base + check)]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2)
                    for i, d in enumerate(digits))  # fmt: skip
        if total % 10 == 0:
            return base + check
    raise AssertionError


def make_app(url: str, instance: str):
    from rgpd_app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
    })  # fmt: skip


def logged_in_client(app, user_id: int):
    from rgpd_app.extensions import login_manager

    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = UA
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": UA}):
        ident = login_manager._session_identifier_generator()
        from rgpd_app.accounts.models import User
        from rgpd_app.extensions import db

        session_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as sess:
        sess.update({"_user_id": session_id, "_fresh": True, "_id": ident,
                     "seen": time.time()})  # fmt: skip
    return client


def build(app, towns: int, per_town: int, big: int) -> dict:
    """Bulk inserts; returns the processor DPO's id, the big town's id and the entry ids
    (`big` = 0: no big town)."""
    from sqlalchemy import insert

    from rgpd_app.accounts.users import services as accounts
    from rgpd_app.extensions import db
    from rgpd_app.organisations.models import Organisation
    from rgpd_app.register.models import (
        DataCategory,
        ProcessingActivity,
        Purpose,
        SecurityMeasure,
        Subprocessor,
        Transfer,
        processing_subprocessor,
    )

    now = datetime.now(UTC)
    rng = random.Random(42)
    with app.app_context():
        db.drop_all()
        db.create_all()
        processor = Organisation(kind="processor", name="Logiciels Publics", siren=siren(1),
                                 departement="57", created_at=now)  # fmt: skip
        db.session.add(processor)
        db.session.commit()
        user = accounts.create_user(email="dpo@bench.example", name="DPO bench",
                                    organisation=processor, password=PASSWORD,
                                    role="processor_dpo", actor=None, now=now)  # fmt: skip
        subs = [Subprocessor(legal_name=n, country=c, is_outside_eea=c != "FR", created_at=now)
                for n, c in (("Hébergeur SAS", "FR"), ("Sauvegarde SA", "FR"),
                             ("Support Maroc SARL", "MA"))]  # fmt: skip
        db.session.add_all(subs)
        db.session.commit()
        sub_ids = [s.id for s in subs]
        org_rows = [
            {"id": 2 + n, "kind": "controller",
             "name": f"Commune de {rng.choice(STANDARD)[:12]} {n:04d}",
             "siren": siren(1000 + n), "departement": rng.choice(["57", "67", "35", "75"]),
             "created_at": now}
            for n in range(towns + (1 if big else 0))
        ]  # fmt: skip
        plan = [(2 + n, per_town) for n in range(towns)]
        if big:  # one more municipality, of `big` processings
            org_rows[-1]["name"] = "Grande Ville (PDF)"
            plan.append((2 + towns, big))
        db.session.execute(insert(Organisation), org_rows)
        acts, purposes, cats, transfers, measures, links = [], [], [], [], [], []
        next_id = 1
        for org_id, count in plan:
            for k in range(count):
                i = next_id
                next_id += 1
                name = STANDARD[k % len(STANDARD)] + (f" ({k // len(STANDARD)})" if k >= 30 else "")
                # No archived entry: the art. 30(2) register then holds all of them.
                status = rng.choice(["draft", "validated", "validated"])
                acts.append({
                    "id": i, "controller_id": org_id, "name": name, "status": status,
                    "version": 1, "description": f"Traitement type « {name} » de la commune.",
                    "operations": json.dumps(["hosting", "corrective_maintenance", "backup"]),
                    "operations_detail": "Hébergement et maintenance du logiciel métier.",
                    "security_notes": "", "legal_bases": json.dumps(["public_task"]),
                    "data_subjects": json.dumps(["Administrés", "Agents"]),
                    "recipients": json.dumps(["Services municipaux", "Trésorerie"]),
                    "estimated_persons": rng.randint(50, 20000),
                    "created_at": now, "updated_at": now - timedelta(minutes=i),
                    "validated_at": now if status != "draft" else None,
                })  # fmt: skip
                for p in range(2):
                    purposes.append({"activity_id": i, "position": p, "label": f"Finalité {p + 1}"})
                for c in range(3):
                    cats.append({
                        "activity_id": i, "position": c, "label": ["Identité", "Coordonnées",
                        "Casier judiciaire" if i % 15 == 0 else "Situation familiale"][c],
                        "purpose": "Finalité 1", "retention_value": 5, "retention_unit": "years",
                        "retention_criterion": "", "is_special": False,
                        "is_criminal": i % 15 == 0 and c == 2,
                    })  # fmt: skip
                if i % 10 == 0:
                    transfers.append({
                        "activity_id": i, "position": 0, "country": "MA",
                        "recipient": "Centre d'appel", "safeguard": "sccs",
                        "safeguard_documentation": "", "consent_by": "" if i % 20 else "Le maire",
                        "consent_on": None if i % 20 else date(2026, 1, 5),
                        "consent_reference": "" if i % 20 else "Délibération",
                    })  # fmt: skip
                for m, family in enumerate(("access_control", "backup")):
                    measures.append({"activity_id": i, "position": m, "family": family,
                                     "description": "Mesure documentée"})  # fmt: skip
                links.append({"activity_id": i, "subprocessor_id": sub_ids[i % 3]})
        for model, rows in ((ProcessingActivity, acts), (Purpose, purposes), (DataCategory, cats),
                            (Transfer, transfers), (SecurityMeasure, measures),
                            (processing_subprocessor, links)):  # fmt: skip
            for start in range(0, len(rows), 10_000):
                db.session.execute(insert(model), rows[start : start + 10_000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            # VACUUM as autovacuum would soon after the load: the visibility map lets the
            # counts use index-only scans, as on a register that is read more than written.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        return {"user_id": user.id, "big_id": 2 + towns, "ids": [a["id"] for a in acts],
                "entries": len(acts), "rows": len(acts) + len(purposes) + len(cats)
                + len(transfers) + len(measures) + len(links)}  # fmt: skip


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def time_pages(app, built: dict, towns: int, reps: int) -> list[tuple[str, float, float]]:
    client = logged_in_client(app, built["user_id"])
    last = -(-(built["entries"]) // 25)
    rng = random.Random(7)
    pages = {
        "liste, 1re page": lambda: "/register/",
        "liste filtrée (q=cantine)": lambda: "/register/?q=cantine",
        "liste filtrée (sensibles+validés)": lambda: "/register/?special=1&status=validated",
        "liste filtrée (une commune)": lambda: f"/register/?controller_id={rng.randint(2, towns)}",
        f"liste, dernière page ({last})": lambda: f"/register/?page={last}",
        "détail d'un traitement": lambda: f"/register/{rng.choice(built['ids'])}",
    }
    results = []
    for label, url in pages.items():
        samples = []
        for n in range(reps + 3):
            target = url()
            started = time.perf_counter()
            response = client.get(target)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (target, response.status_code)
            if n >= 3:
                samples.append(elapsed * 1000)
        results.append((label, *percentiles(samples)))
    return results


CHILD = r"""
import sys, time
sys.path.insert(0, ROOT)
sys.argv = [sys.argv[0]] + ARGS
from bench.register import logged_in_client, make_app

url, instance, user_id, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
app = make_app(url, instance)
client = logged_in_client(app, user_id)
size = 0
started = time.perf_counter()
if target != "baseline":
    if "format=pdf" in target:
        import weasyprint  # noqa: F401  (its 0.7 s load is not the export's)
        started = time.perf_counter()
    response = client.get(target)
    if response.status_code == 302:  # a long export: this process plays the worker, then downloads
        from rgpd_app.scheduler import drain_queues
        with app.app_context():
            assert drain_queues() == {"exports": 1}
        response = client.get(response.headers["Location"] + "/file")
    assert response.status_code == 200, response.status_code
    for chunk in response.response:
        size += len(chunk)
    response.close()
seconds = time.perf_counter() - started
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
import resource  # the PDF renderer processes, waited for by the export: the largest one's peak
renderers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{seconds:.2f} {size} {peak} {renderers}")
"""


def measure_export(url: str, instance: str, user_id: int, target: str):
    code = f"ROOT = {str(ROOT)!r}\nARGS = {[url, instance, str(user_id), target]!r}\n" + CHILD
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"export {target} failed")
    seconds, size, peak_kb, renderer_kb = output.split()
    cpu = usage.ru_utime + usage.ru_stime  # with the renderers it waited for
    return float(seconds), cpu, int(peak_kb) / 1024, int(renderer_kb) / 1024, int(size)


def postgres_url() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except psycopg.Error as err:
        print(f"PostgreSQL unreachable ({PG_ADMIN}): {err}; skipped.")
        return None
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{PG_DB}"


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def run(backend: str, url: str, instance: str, args) -> None:
    print(f"\n== {backend} ==  (load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f})")
    app = make_app(url, instance)
    started = time.perf_counter()
    built = build(app, args.towns, args.per_town, args.big)
    print(f"built {built['entries']} entries ({built['rows']} rows in all) "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    print(f"{'page':<38}{'p50 ms':>9}{'p95 ms':>9}")
    for label, p50, p95 in time_pages(app, built, args.towns, args.reps):
        print(f"{label:<38}{p50:>9.1f}{p95:>9.1f}", flush=True)
    print(f"{'export':<34}{'seconds':>9}{'CPU s':>8}{'peak RSS MB':>13}{'renderer MB':>13}"
          f"{'size MB':>9}")  # fmt: skip
    plan = [("baseline (app + login)", "baseline")]
    plan += [(f"art. 30(2) {f.upper()}", f"/register/export?format={f}&register=processor")
             for f in ("csv", "json", "xlsx", "ods")]  # fmt: skip
    big = f"/register/export?format=pdf&register=controller&controller_id={built['big_id']}"
    plan.append((f"art. 30(1) PDF ({args.big} entrées)", big))
    if args.full_pdf:
        plan.append(("art. 30(2) PDF", "/register/export?format=pdf&register=processor"))
    for label, target in plan:
        seconds, cpu, peak, renderer, size = measure_export(url, instance, built["user_id"], target)
        print(f"{label:<34}{seconds:>9.2f}{cpu:>8.2f}{peak:>13.1f}{renderer or 0:>13.1f}"
              f"{size / 1e6:>9.2f}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=1500)
    parser.add_argument("--per-town", type=int, default=30)
    parser.add_argument("--big", type=int, default=500)
    parser.add_argument("--full-pdf", action="store_true", help="also the whole art. 30(2) PDF")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="rgpd-bench-") as tmp:
        if "sqlite" in args.backends:
            run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", f"{tmp}/instance", args)
        if "postgres" in args.backends:
            url = postgres_url()
            if url:
                try:
                    run("PostgreSQL", url, f"{tmp}/instance-pg", args)
                finally:
                    from sqlalchemy.orm import close_all_sessions

                    close_all_sessions()
                    drop_postgres()
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
