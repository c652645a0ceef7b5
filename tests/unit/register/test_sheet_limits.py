"""ASVS 5.0 V5.2.1 / V5.2.3: an uploaded spreadsheet is bounded before it is parsed and while
it is: declared dimensions, rows and cells visited (empty ones included), zip members'
uncompressed sizes, repeated cells and spaces, XML nesting, and a time budget. Each refusal is
a LimitExceeded whose French message names the limit; none expands the file in memory."""

import io
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from rgpd_app.register.files import sheets
from rgpd_app.register.files.sheet_limits import Budget, LimitExceeded, Limits, UnreadableFile

ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
    '<office:body><office:spreadsheet><table:table table:name="Registre">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def _row(text: str) -> str:
    """One ODS row of one cell holding the paragraph `text` (raw XML)."""
    return f"<table:table-row><table:table-cell><text:p>{text}</text:p></table:table-cell></table:table-row>"  # noqa: E501


HEADER_ROW = _row("Nom")


def _ods(tmp_path: Path, rows: str, name: str = "crafted.ods") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", ODS_HEAD + HEADER_ROW + rows + ODS_TAIL)
    return path


def _xlsx(tmp_path: Path, *, rows=(("Nom",), ("Cantine",)), dimension=None, extra_rows="") -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    path = tmp_path / "crafted.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if dimension:
                    text = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', text)
                text = text.replace("</sheetData>", extra_rows + "</sheetData>")
                data = text.encode()
            out.writestr(info.filename, data)
    return path


def _read_all(path: Path, fmt: str, limits: Limits | None = None) -> list:
    _, rows = sheets.read_rows(path, fmt, limits)
    return list(rows)


def _refused(path: Path, fmt: str, limits: Limits | None = None) -> LimitExceeded:
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded) as refused:
            _read_all(path, fmt, limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, f"{peak} bytes held while refusing"
    return refused.value


def test_v5_2_1_an_xlsx_declaring_the_whole_sheet_is_refused_before_a_row_is_read(tmp_path):
    path = _xlsx(tmp_path, dimension="A1:XFD1048576")
    refused = _refused(path, "xlsx")
    assert refused.limit == "rows"
    assert "Le fichier déclare 1\u202f048\u202f576 lignes" in str(refused)
    assert "au plus 10\u202f000 lignes" in str(refused)


def test_v5_2_1_an_xlsx_declaring_too_many_columns_is_refused(tmp_path):
    refused = _refused(_xlsx(tmp_path, dimension="A1:XFD2"), "xlsx")
    assert refused.limit == "columns" and "16\u202f384 colonnes" in str(refused)


def test_v5_2_1_an_xlsx_lying_about_its_size_is_refused_when_its_empty_rows_are_counted(tmp_path):
    # The dimension says A1:A2, but a value sits on the sheet's last row: the rows between are
    # visited (empty) and counted, where the old reader skipped them before counting.
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    refused = _refused(_xlsx(tmp_path, dimension="A1:A2", extra_rows=far), "xlsx")
    assert refused.limit == "rows"
    assert "plus de 10\u202f000 lignes, vides comprises" in str(refused)


def test_v5_2_1_an_xlsx_without_dimension_and_a_far_column_is_cut_at_the_column_bound(tmp_path):
    far = '<row r="3"><c r="XFD3" t="inlineStr"><is><t>loin</t></is></c></row>'
    path = _xlsx(tmp_path, extra_rows=far)
    rows = _read_all(path, "xlsx")
    assert [cells for _, cells in rows] == [["Nom"], ["Cantine"]]


def test_v5_2_1_too_many_data_rows_are_refused_naming_the_import_limit(tmp_path):
    rows = [("Nom",)] + [(f"Traitement {n}",) for n in range(12)]
    refused = _refused(_xlsx(tmp_path, rows=rows), "xlsx", Limits(data_rows=10))
    assert refused.limit == "data_rows" and "au plus 10 traitements" in str(refused)


def test_v5_2_3_a_495_byte_ods_of_400_million_spaces_is_refused_without_expanding(tmp_path):
    spaces = '<text:s text:c="400000000"/>'
    path = _ods(tmp_path, _row(f"a{spaces}b"))
    assert path.stat().st_size < 1000
    refused = _refused(path, "ods")
    assert refused.limit == "cell_chars"
    assert "Une cellule dépasse 100\u202f000 caractères" in str(refused)


def test_v5_2_3_spaces_spread_over_many_small_elements_are_bounded_too(tmp_path):
    spaces = '<text:s text:c="60000"/>' * 3
    assert _refused(_ods(tmp_path, _row(spaces)), "ods").limit == "cell_chars"


def test_v5_2_1_an_ods_row_repeated_a_million_times_is_refused_at_the_row_bound(tmp_path):
    row = ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell>'
           "<text:p>x</text:p></table:table-cell></table:table-row>")  # fmt: skip
    refused = _refused(_ods(tmp_path, row), "ods")
    assert refused.limit == "rows" and "1\u202f000\u202f001 lignes" in str(refused)


def test_v5_2_1_trailing_empty_repeated_rows_and_columns_cost_nothing(tmp_path):
    # What LibreOffice writes after a formatted sheet's last value: accepted, nothing expanded.
    rows = ('<table:table-row><table:table-cell><text:p>Cantine</text:p></table:table-cell>'
            '<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
            '<table:table-row table:number-rows-repeated="1048574"><table:table-cell'
            ' table:number-columns-repeated="16384"/></table:table-row>')  # fmt: skip
    assert [cells for _, cells in _read_all(_ods(tmp_path, rows), "ods")] == [["Nom"], ["Cantine"]]


def test_v5_2_1_deep_xml_nesting_is_refused(tmp_path):
    deep = "<text:span>" * 100 + "x" + "</text:span>" * 100
    assert _refused(_ods(tmp_path, _row(deep)), "ods").limit == "depth"


def test_v5_2_3_a_zip_bomb_member_is_refused_from_the_directory_before_it_is_read(tmp_path):
    path = tmp_path / "bomb.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", ODS_HEAD + " " * (30 * 1024 * 1024) + ODS_TAIL)
    assert path.stat().st_size < 100_000
    refused = _refused(path, "ods")
    assert refused.limit in ("member_mb", "ratio") and "« content.xml »" in str(refused)


def test_v5_2_3_a_member_lying_about_its_size_is_stopped_at_what_it_declared(tmp_path):
    path = tmp_path / "liar.ods"
    content = ODS_HEAD + HEADER_ROW + " " * 200_000 + ODS_TAIL
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("content.xml", content)
    data = bytearray(path.read_bytes())
    declared = len(content).to_bytes(4, "little")
    small = (1000).to_bytes(4, "little")
    for at in [m.start() for m in re.finditer(re.escape(declared), bytes(data))]:
        data[at : at + 4] = small  # the local header and the central directory both lie
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableFile) as refused:
        _read_all(path, "ods")
    message = str(refused.value)
    assert "1\u202f000 octets qu'il déclare" in message or "archive endommagée" in message


def test_v5_2_3_too_many_archive_members_are_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        for n in range(30):
            package.writestr(f"f{n}.xml", "")
    refused = _refused(path, "xlsx", Limits(members=20))
    assert refused.limit == "members" and "au plus 20" in str(refused)


def test_v5_2_1_the_time_budget_stops_a_slow_reading():
    now = [0.0]
    budget = Budget(Limits(seconds=2), clock=lambda: now[0])
    budget.row()
    now[0] = 2.5
    with pytest.raises(LimitExceeded) as refused:
        budget.row()
    assert refused.value.limit == "seconds" and "2 secondes" in str(refused.value)


def test_the_limits_come_from_the_register_import_settings():
    limits = Limits.from_settings({"REGISTER_IMPORT_MAX_ROWS": 50,
                                   "REGISTER_IMPORT_MAX_SHEET_ROWS": "200",
                                   "REGISTER_IMPORT_MAX_SECONDS": 3})  # fmt: skip
    assert (limits.data_rows, limits.rows, limits.seconds, limits.columns) == (50, 200, 3.0, 100)


def test_a_csv_is_bounded_by_the_same_rows_and_cells(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("Nom\n" + "\n" * 20 + "Cantine\n", encoding="utf-8")
    refused = _refused(path, "csv", Limits(rows=10))
    assert refused.limit == "rows"
    assert [cells for _, cells in _read_all(path, "csv")] == [["Nom"], ["Cantine"]]
