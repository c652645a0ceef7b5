"""Reading an uploaded spreadsheet: the crafted files of the hardening probe against a real one.

Run: .venv/bin/python bench/imports.py

The anchor, measured in the same run, is reading a legitimate 3,000-row register (XLSX and ODS,
written by openpyxl and by our ODS writer's layout) to its end. Each crafted file is read until
it is refused; its time and peak memory (tracemalloc) are printed next to the anchor's, with the
limit that refused it. Figures are printed, never asserted.
"""

import io
import re
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from rgpd_app.register.files import sheets  # noqa: E402

NS = (
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods(path: Path, rows: list[str]) -> Path:
    body = "".join(
        "<table:table-row>"
        + "".join(f"<table:table-cell><text:p>{c}</text:p></table:table-cell>" for c in row)
        + "</table:table-row>"
        if isinstance(row, list)
        else row
        for row in rows
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr(
            "content.xml",
            f'<?xml version="1.0"?><office:document-content{NS}><office:body>'
            f'<office:spreadsheet><table:table table:name="R">{body}</table:table>'
            "</office:spreadsheet></office:body></office:document-content>",
        )
    return path


def _xlsx(path: Path, rows: list[list], dimension: str | None = None) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if dimension and info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data
                )
            out.writestr(info.filename, data)
    return path


def _measure(path: Path, fmt: str) -> tuple[float, float, str]:
    tracemalloc.start()
    started = time.perf_counter()
    outcome = "read"
    try:
        _, rows = sheets.read_rows(path, fmt)
        outcome = f"read {sum(1 for _ in rows)} rows"
    except sheets.LimitExceeded as refused:
        outcome = f"refused ({refused.limit})"
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1024 / 1024, outcome


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="rgpd-bench-imports-"))
    register = [["Nom", "Finalités", "Base légale", "Personnes concernées"]] + [
        [f"Traitement {n}", "Facturer les repas", "Mission d'intérêt public", "Familles"]
        for n in range(3000)
    ]
    cases = [
        ("anchor: 3,000-row XLSX", _xlsx(folder / "real.xlsx", register), "xlsx"),
        ("anchor: 3,000-row ODS", _ods(folder / "real.ods", register), "ods"),
        ("XLSX declaring A1:XFD1048576",
         _xlsx(folder / "whole.xlsx", register[:2], "A1:XFD1048576"), "xlsx"),
        ("ODS text:s text:c=400000000",
         _ods(folder / "spaces.ods", [["Nom"], ['a<text:s text:c="400000000"/>']]), "ods"),
        ("ODS row repeated 1,000,000 times",
         _ods(folder / "repeat.ods", [["Nom"], '<table:table-row table:number-rows-repeated='
              '"1000000"><table:table-cell><text:p>x</text:p></table:table-cell>'
              "</table:table-row>"]), "ods"),
    ]  # fmt: skip
    anchors = {}
    print(f"{'file':36} {'bytes':>9} {'seconds':>8} {'× anchor':>9} {'peak MB':>8}  outcome")
    for label, path, fmt in cases:
        elapsed, peak, outcome = _measure(path, fmt)
        if label.startswith("anchor"):
            anchors[fmt] = elapsed
        ratio = elapsed / anchors[fmt]
        print(f"{label:36} {path.stat().st_size:>9} {elapsed:>8.3f} {ratio:>9.3f} {peak:>8.1f}  "
              f"{outcome}")  # fmt: skip


if __name__ == "__main__":
    main()
