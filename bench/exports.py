"""Time and peak memory of each export format for a large synthetic list.

Run: .venv/bin/python bench/exports.py [--rows 45000] [--pdf-rows 1000,10000] [--odfpy]

Each measure runs in a fresh child process that builds the real answer with `export_response`
inside a request context and reads its body to the end, as the server would; rows come from a
generator, so the figure is the writer's memory, not the input's. Peak RSS is the child's
ru_maxrss (from wait4); "baseline" is a child that generates the rows without exporting them.
Seconds count the export only, not the imports.
`--odfpy` adds the same ODS built with odfpy, for comparison. Figures are printed, never asserted.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import sys, time
from datetime import UTC, date, datetime, timedelta
sys.path.insert(0, ROOT)

from rgpd_app.exports import Column

TOWNS = "Metz|Nancy|Saint-Étienne|Châlons-en-Champagne|Thionville|Épinal|Sarreguemines".split("|")
PURPOSES = ["État civil", "Cantine scolaire", "=Élections", "Urbanisme", "Paie des agents"]
COLUMNS = [
    Column("id", "N°"), Column("name", "Traitement"), Column("town", "Commune"),
    Column("purpose", "Finalité"), Column("legal_basis", "Base légale"),
    Column("created_on", "Créé le"), Column("updated_at", "Mis à jour"),
    Column("is_sensitive", "Données sensibles"), Column("recipients", "Destinataires"),
    Column("retention_months", "Conservation (mois)"), Column("score", "Score"),
    Column("notes", "Observations"),
]
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def rows(count):
    for n in range(count):
        yield {
            "id": n + 1,
            "name": f"Traitement n° {n + 1} — gestion des dossiers",
            "town": TOWNS[n % len(TOWNS)],
            "purpose": PURPOSES[n % len(PURPOSES)],
            "legal_basis": "Mission d'intérêt public (art. 6.1.e)",
            "created_on": date(2025, 1, 1) + timedelta(days=n % 365),
            "updated_at": START + timedelta(minutes=17 * n),
            "is_sensitive": n % 7 == 0,
            "recipients": ["Service RH", "Trésorerie", "Préfecture"][: 1 + n % 3],
            "retention_months": 12 + n % 60,
            "score": (n % 1000) / 10,
            "notes": "Données conservées conformément au référentiel de la CNIL." * (1 + n % 2),
        }


fmt, count = sys.argv[1], int(sys.argv[2])
size = 0
if fmt == "baseline":
    started = time.perf_counter()
    for _ in rows(count):
        pass
elif fmt == "odfpy":
    import io
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P
    from rgpd_app.exports.values import read, text

    started = time.perf_counter()
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Registre")
    for row in rows(count):
        line = TableRow()
        for column in COLUMNS:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=text(read(row, column))))
            line.addElement(cell)
        table.addElement(line)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.write(out)
    size = len(out.getvalue())
else:
    from flask import Flask
    from rgpd_app.exports import export_response
    from rgpd_app.exports.values import paris_time

    # A bare app with the two template helpers the table uses: the bench needs no database.
    app = Flask("bench", template_folder=f"{ROOT}/templates")
    from flask_babel import Babel
    Babel(app)  # the PDF's page numbers say "Page" in the request's language
    app.jinja_env.globals["_"] = lambda message: message
    app.jinja_env.filters["paris"] = lambda value: paris_time(value).strftime("%d/%m/%Y %H:%M")
    app.config["EXPORT_PDF_MAX_ROWS"] = count  # measure past the request's limit
    if fmt == "pdf":
        import weasyprint  # noqa: F401  (loading it takes 0.7 s, once per process)
    started = time.perf_counter()
    with app.test_request_context():
        response = export_response(fmt, rows=rows(count), columns=COLUMNS,
                                   filename="registre", title="Registre des traitements")
        for chunk in response.response:
            size += len(chunk)
        response.close()
print(f"{time.perf_counter() - started:.2f} {size}")
"""


def measure(fmt: str, count: int) -> tuple[float, float, float, float]:
    """(seconds, child CPU seconds, peak RSS in MB, output size in MB) of one export, measured
    in a fresh child process. CPU seconds include the imports but, unlike wall time, hardly
    move when other work shares the machine."""
    code = f"ROOT = {str(ROOT)!r}\n" + CHILD
    child = subprocess.Popen(
        [sys.executable, "-c", code, fmt, str(count)], stdout=subprocess.PIPE, text=True
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{fmt} failed ({child.returncode})")
    seconds, size = output.split()
    cpu = usage.ru_utime + usage.ru_stime
    return float(seconds), cpu, usage.ru_maxrss / 1024, int(size) / 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=45_000)
    parser.add_argument("--pdf-rows", default="1000", help="comma-separated row counts for PDF")
    parser.add_argument("--odfpy", action="store_true", help="also build the ODS with odfpy")
    args = parser.parse_args()
    plan = [("baseline", args.rows)] + [(f, args.rows) for f in ("csv", "json", "xlsx", "ods")]
    if args.odfpy:
        plan.append(("odfpy", args.rows))
    plan += [("pdf", int(n)) for n in args.pdf_rows.split(",") if n]
    print(f"{'format':<9}{'rows':>8}{'seconds':>10}{'CPU s':>8}{'peak RSS MB':>13}{'size MB':>10}")
    for fmt, count in plan:
        seconds, cpu, peak, size = measure(fmt, count)
        print(
            f"{fmt:<9}{count:>8}{seconds:>10.2f}{cpu:>8.2f}{peak:>13.1f}{size:>10.2f}", flush=True
        )


if __name__ == "__main__":
    main()
