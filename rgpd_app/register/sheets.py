"""Reading the first sheet of an uploaded CSV, XLSX or ODS file as numbered rows of raw cells
(text, number, day or None). No Flask, no database.

CSV: UTF-8 with or without BOM (Windows-1252 accepted as a fallback, since French Excel saves
CSV in it), ";" or "," found from the header line. XLSX: openpyxl in read-only mode; a formula
cell gives its formula text, never a computed value. ODS: content.xml parsed as it streams
(ODF 1.3 part 3, §9.1), repeated rows and columns counted without being expanded.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from defusedxml import DefusedXmlException  # installed with odfpy
from defusedxml.ElementTree import ParseError, iterparse

FORMATS = ("csv", "xlsx", "ods")
MAX_COLUMNS = 100

Cell = str | int | float | date | None


class UnreadableFile(Exception):
    """The file cannot be read as the format it claims; the message is French."""


def format_of(filename: str) -> str | None:
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def read_rows(path: Path, fmt: str) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    """Notices about the reading (e.g. the encoding) and the rows as (row number, cells),
    the header being row 1. Entirely empty rows are skipped (their numbers are not reused)."""
    if fmt == "csv":
        return _csv_rows(path.read_bytes())
    if fmt == "xlsx":
        return [], _xlsx_rows(path)
    if fmt == "ods":
        return [], _ods_rows(path)
    raise UnreadableFile("Format de fichier non pris en charge (CSV, XLSX ou ODS).")


def _non_empty(numbered: Iterator[tuple[int, list[Cell]]]) -> Iterator[tuple[int, list[Cell]]]:
    for number, cells in numbered:
        cells = cells[:MAX_COLUMNS]
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if cells:
            yield number, cells


def _csv_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    notices = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        notices.append("Fichier CSV lu en Windows-1252 (il n'est pas en UTF-8).")
    first = text.split("\n", 1)[0]
    counts = {sep: len(next(csv.reader([first], delimiter=sep), [])) for sep in (";", ",")}
    delimiter = ";" if counts[";"] >= counts[","] else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = ((number, list(cells)) for number, cells in enumerate(reader, start=1))
    return notices, _non_empty(_guarded(rows))


def _guarded(rows):
    try:
        yield from rows
    except csv.Error as err:
        raise UnreadableFile(f"Fichier CSV illisible : {err}.") from err


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook  # imported on use, like every rarely used reader

    handle = open(path, "rb")  # a file object: openpyxl would judge a path by its suffix
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged package
        handle.close()
        raise UnreadableFile("Fichier XLSX illisible.") from err
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield from _non_empty(iter([(number, [_xlsx_value(v) for v in values])]))
    finally:
        workbook.close()
        handle.close()


def _xlsx_value(value) -> Cell:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
T_TABLE, T_ROW = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row"
T_CELL, T_COVERED = f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"
ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
COLUMNS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
FORMULA = f"{{{_TABLE}}}formula"
P, H = f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"
SPACE, TAB, BREAK = f"{{{_TEXT}}}s", f"{{{_TEXT}}}tab", f"{{{_TEXT}}}line-break"
VALUE_TYPE, VALUE = f"{{{_OFFICE}}}value-type", f"{{{_OFFICE}}}value"
DATE_VALUE = f"{{{_OFFICE}}}date-value"


def _ods_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    try:
        package = zipfile.ZipFile(path)
        content = package.open("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError) as err:
        raise UnreadableFile("Fichier ODS illisible.") from err
    with package, content:
        number, tables = 0, 0
        try:
            for event, element in iterparse(content, events=("start", "end")):
                if event == "start":
                    if element.tag == T_TABLE:
                        tables += 1
                    continue
                if tables != 1:  # only the first sheet
                    if element.tag == T_TABLE:
                        return
                    continue
                if element.tag == T_ROW:
                    repeat = int(element.get(ROWS_REPEATED, "1"))
                    cells = _ods_cells(element)
                    element.clear()
                    for _ in range(repeat if cells else 0):
                        number += 1
                        yield number, list(cells)
                    if not cells:
                        number += repeat
                elif element.tag == T_TABLE:
                    return
        except (ParseError, DefusedXmlException) as err:
            raise UnreadableFile("Fichier ODS illisible (XML invalide).") from err


def _ods_cells(row) -> list[Cell]:
    cells: list[Cell] = []
    for cell in row:
        if cell.tag not in (T_CELL, T_COVERED):
            continue
        repeat = min(int(cell.get(COLUMNS_REPEATED, "1")), MAX_COLUMNS)
        cells.extend([_ods_value(cell)] * repeat)
        if len(cells) >= MAX_COLUMNS:
            break
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _ods_value(cell) -> Cell:
    formula = cell.get(FORMULA)
    if formula:  # kept as its text ("of:=SUM([.A1])" → "=SUM([.A1])"), never computed
        return formula.split(":", 1)[1] if formula.startswith(("of:", "oooc:")) else formula
    kind = cell.get(VALUE_TYPE)
    if kind in ("float", "percentage", "currency"):
        number = float(cell.get(VALUE, "0"))
        return int(number) if number.is_integer() else number
    if kind == "date":
        stamp = cell.get(DATE_VALUE, "")
        return date.fromisoformat(stamp) if len(stamp) == 10 else stamp.replace("T", " ")
    paragraphs = [_inline_text(p) for p in cell if p.tag in (P, H)]
    return "\n".join(paragraphs) if paragraphs else None


def _inline_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == SPACE:
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1")))
        elif child.tag == TAB:
            parts.append("\t")
        elif child.tag == BREAK:
            parts.append("\n")
        elif not child.tag.startswith(f"{{{_OFFICE}}}"):  # spans, links; not annotations
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
