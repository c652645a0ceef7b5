"""CSV, JSON and XLSX writers given plain rows (no Flask)."""

import csv
import io
import json
from datetime import UTC, date, datetime

import openpyxl
import pytest

from rgpd_app.exports import Column
from rgpd_app.exports.writers import CHUNK_SIZE, csv_chunks, json_chunks, write_xlsx

COLUMNS = [
    Column("name", "Nom de la commune"),
    Column("signed_on", "Signé le"),
    Column("created_at", "Créé le"),
    Column("is_active", "Actif"),
    Column("tags", "Étiquettes"),
    Column("count", "Nombre"),
]
ROWS = [
    {
        "name": "Châlons-en-Champagne",
        "signed_on": date(2026, 3, 2),
        "created_at": datetime(2026, 7, 1, 10, 0, tzinfo=UTC),
        "is_active": True,
        "tags": ["école", "cantine"],
        "count": 12,
    },
    {
        "name": '=HYPERLINK("http://x";"clic")',
        "signed_on": None,
        "created_at": None,
        "is_active": False,
        "tags": [],
        "count": -3,
    },
]
DANGEROUS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "\x01x"]


def _csv(rows, columns=COLUMNS) -> bytes:
    return b"".join(csv_chunks(rows, columns))


def test_csv_is_utf8_with_bom_semicolons_and_crlf():
    data = _csv(ROWS)
    assert data.startswith(b"\xef\xbb\xbfNom de la commune;Sign\xc3\xa9 le;")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[1] == (
        "Châlons-en-Champagne;2026-03-02;2026-07-01T12:00:00+02:00;oui;école | cantine;12"
    )
    assert lines[2] == '"\'=HYPERLINK(""http://x"";""clic"")";;;non;;-3'
    assert lines[3] == ""


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_neutralises_each_dangerous_prefix(value):
    data = _csv([{"v": value}], [Column("v", "Valeur")]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=";"))
    assert rows[1] == ["'" + value]


def test_csv_header_labels_are_neutralised_too():
    data = _csv([], [Column("v", "=danger")]).decode("utf-8-sig")
    assert data == "'=danger\r\n"


def test_csv_reads_a_generator_lazily_and_in_bounded_chunks():
    pulled = []

    def rows():
        for n in range(20_000):
            pulled.append(n)
            yield {"name": f"Commune {n}", "count": n}

    chunks = csv_chunks(rows(), [Column("name", "Nom"), Column("count", "N")])
    next(chunks)  # the header
    assert pulled == []
    sizes = [len(chunk) for chunk in chunks]
    assert len(pulled) == 20_000
    assert len(sizes) > 3 and max(sizes) < CHUNK_SIZE + 1024


def test_json_is_an_array_of_objects_keyed_by_column_key():
    data = json.loads(b"".join(json_chunks(ROWS, COLUMNS)))
    assert data[0] == {
        "name": "Châlons-en-Champagne",
        "signed_on": "2026-03-02",
        "created_at": "2026-07-01T12:00:00+02:00",
        "is_active": True,
        "tags": ["école", "cantine"],
        "count": 12,
    }
    assert data[1]["name"] == '=HYPERLINK("http://x";"clic")'  # not neutralised in JSON


def test_json_of_no_rows_is_an_empty_array_and_large_outputs_come_in_chunks():
    assert json.loads(b"".join(json_chunks([], COLUMNS))) == []
    rows = ({"name": f"Commune {n}", "count": n} for n in range(10_000))
    chunks = list(json_chunks(rows, [Column("name", "Nom"), Column("count", "N")]))
    assert len(chunks) > 3
    assert len(json.loads(b"".join(chunks))) == 10_000


def _xlsx(rows, columns=COLUMNS):
    out = io.BytesIO()
    count = write_xlsx(rows, columns, out, title="Registre : 2026")
    out.seek(0)
    return count, openpyxl.load_workbook(out).active


def test_xlsx_reads_back_with_typed_cells():
    count, sheet = _xlsx(ROWS)
    assert count == 2
    assert sheet.title == "Registre   2026"
    assert [c.value for c in sheet[1]] == [c.label for c in COLUMNS]
    first = [c.value for c in sheet[2]]
    assert first == [
        "Châlons-en-Champagne",
        datetime(2026, 3, 2),
        datetime(2026, 7, 1, 12, 0),  # Paris wall-clock time
        "oui",
        "école | cantine",
        12,
    ]
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["C2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert sheet.freeze_panes == "A2"
    assert sheet["F3"].value == -3


@pytest.mark.parametrize("value", DANGEROUS)
def test_xlsx_stores_each_dangerous_value_as_a_quoted_string_cell(value):
    _, sheet = _xlsx([{"v": value}], [Column("v", "Valeur")])
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert isinstance(cell.value, str) and cell.value.startswith("'")
    # XML carries no \x01 (replaced by U+FFFD); a bare \r comes back as \n or, when the XML
    # writer escapes it (et_xmlfile 2 writes &#13;), as itself
    expected = value.replace("\x01", "\ufffd")
    assert cell.value[1:] in {expected, expected.replace("\r", "\n")}
