"""The hand-written ODS package: structure, typed cells, injection guard, read back by odfpy
and, where installed, opened by LibreOffice."""

import csv
import io
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from odf import teletype
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from odf.text import P

from rgpd_app.exports import Column
from rgpd_app.exports.ods import MIMETYPE, write_ods

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
OFFICE = f"{{{NS['office']}}}"
COLUMNS = [
    Column("name", "Nom de la commune"),
    Column("signed_on", "Signé le"),
    Column("created_at", "Créé le"),
    Column("is_active", "Actif"),
    Column("amount", "Montant"),
]
ROW = {
    "name": "Saint-Étienne",
    "signed_on": date(2026, 3, 2),
    "created_at": datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
    "is_active": True,
    "amount": Decimal("12.50"),
}
DANGEROUS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "\x01x"]


def _ods(rows, columns=COLUMNS, title="Registre 2026") -> bytes:
    out = io.BytesIO()
    write_ods(rows, columns, out, title=title, created_at=datetime(2026, 3, 2, 10, 0))
    return out.getvalue()


def _cells(data: bytes) -> list[list[ElementTree.Element]]:
    content = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("content.xml"))
    return [
        row.findall("table:table-cell", NS) for row in content.iter(f"{{{NS['table']}}}table-row")
    ]


def test_the_package_starts_with_a_stored_mimetype_and_lists_its_parts():
    data = _ods([ROW])
    assert data[30:38] == b"mimetype"
    assert data[38 : 38 + len(MIMETYPE)] == MIMETYPE.encode()  # what `file` and LibreOffice sniff
    package = zipfile.ZipFile(io.BytesIO(data))
    first = package.infolist()[0]
    assert not first.flag_bits & 0x08  # sizes in the local header: no data descriptor
    assert (first.filename, first.compress_type, first.extra) == (
        "mimetype",
        zipfile.ZIP_STORED,
        b"",
    )
    assert package.namelist() == [
        "mimetype",
        "META-INF/manifest.xml",
        "styles.xml",
        "meta.xml",
        "content.xml",
    ]
    manifest = package.read("META-INF/manifest.xml").decode()
    for part in ("content.xml", "styles.xml", "meta.xml"):
        assert f'manifest:full-path="{part}"' in manifest
    assert package.testzip() is None


def test_cells_are_typed_and_dates_in_paris_time():
    header, row = _cells(_ods([ROW]))
    assert ["".join(c.itertext()) for c in header] == [c.label for c in COLUMNS]
    assert row[0].get(f"{OFFICE}value-type") == "string"
    assert row[1].get(f"{OFFICE}date-value") == "2026-03-02"
    assert row[2].get(f"{OFFICE}date-value") == "2026-07-01T12:00:00"
    assert "".join(row[3].itertext()) == "oui"
    assert (row[4].get(f"{OFFICE}value-type"), row[4].get(f"{OFFICE}value")) == ("float", "12.50")


@pytest.mark.parametrize("value", DANGEROUS)
def test_each_dangerous_value_is_a_quoted_string_cell_never_a_formula(value):
    data = _ods([{"v": value}], [Column("v", "Valeur")])
    cell = _cells(data)[1][0]
    assert cell.get(f"{OFFICE}value-type") == "string"
    assert cell.get(f"{{{NS['table']}}}formula") is None
    assert "".join(cell.itertext()).startswith("'")
    assert b"table:formula" not in zipfile.ZipFile(io.BytesIO(data)).read("content.xml")


def test_odfpy_reads_it_back_with_accents_spaces_and_line_breaks():
    rows = [ROW, {"name": "  deux  espaces\tet\net une ligne", "is_active": False}]
    document = load(io.BytesIO(_ods(rows, title="Sous-traitants : liste")))
    (table,) = document.spreadsheet.getElementsByType(Table)
    assert table.getAttribute("name") == "Sous-traitants   liste"
    texts = [
        [_text(cell) for cell in row.getElementsByType(TableCell)]
        for row in table.getElementsByType(TableRow)
    ]
    assert texts[0][1] == "Signé le"
    assert texts[1][0] == "Saint-Étienne"
    assert texts[2][0] == "  deux  espaces\tet\net une ligne"
    assert texts[2][3] == "non"


def _text(cell) -> str:
    return "\n".join(teletype.extractText(p) for p in cell.getElementsByType(P))


def test_an_empty_export_still_has_its_header_row():
    header, *rest = _cells(_ods([]))
    assert len(header) == len(COLUMNS) and rest == []


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_file_and_sees_the_values(tmp_path):
    rows = [ROW] + [{"name": f"=Commune {n}", "amount": n} for n in range(500)]
    source = tmp_path / "export.ods"
    source.write_bytes(_ods(rows))
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):59,34,76,1",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (tmp_path / "export.csv").open(encoding="utf-8", newline="") as seen:
        lines = list(csv.reader(seen, delimiter=";"))
    assert lines[0] == [c.label for c in COLUMNS]
    assert lines[1] == ["Saint-Étienne", "2026-03-02", "2026-07-01 12:00:00", "oui", "12.5"]
    assert lines[2][0] == "'=Commune 0"
    assert len(lines) == 502
