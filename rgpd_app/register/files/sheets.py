"""Reading the first sheet of an uploaded CSV, XLSX or ODS file as numbered rows of raw cells
(text, number, day or None). No Flask, no database.

CSV: UTF-8 with or without BOM (Windows-1252 accepted as a fallback, since French Excel saves
CSV in it), ";" or "," found from the header line. XLSX: openpyxl in read-only mode; a formula
cell gives its formula text, never a computed value. ODS: content.xml parsed as it streams
(ODF 1.3 part 3, §9.1), repeated rows and columns counted without being expanded.

Every reading is bounded (sheet_limits): the archive's members and their sizes before it is
opened, the dimensions a sheet declares, every row and cell visited (empty ones included), the
text a cell expands to and a time budget. A bound reached raises `LimitExceeded`, an
`UnreadableFile` whose message names the limit.
"""

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from defusedxml import DefusedXmlException  # installed with odfpy
from defusedxml.ElementTree import ParseError, iterparse

from . import sheet_limits
from .sheet_limits import Budget, Limits, UnreadableFile

FORMATS = ("csv", "xlsx", "ods")
MAX_COLUMNS = Limits.columns
LimitExceeded = sheet_limits.LimitExceeded

Cell = str | int | float | date | None


def format_of(filename: str) -> str | None:
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def read_rows(
    path: Path, fmt: str, limits: Limits | None = None
) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
    """Notices about the reading (e.g. the encoding) and the rows as (row number, cells),
    the header being row 1. Entirely empty rows are skipped (their numbers are not reused),
    but counted against `limits` like every row and cell visited."""
    budget = Budget(limits or Limits())
    if fmt == "csv":
        return _csv_rows(path.read_bytes(), budget)
    if fmt == "xlsx":
        sheet_limits.check_package(path, budget.limits, "XLSX")
        return [], _xlsx_rows(path, budget)
    if fmt == "ods":
        sheet_limits.check_package(path, budget.limits, "ODS")
        return [], _ods_rows(path, budget)
    raise UnreadableFile("Format de fichier non pris en charge (CSV, XLSX ou ODS).")


def _non_empty(
    numbered: Iterator[tuple[int, list[Cell]]], budget: Budget
) -> Iterator[tuple[int, list[Cell]]]:
    """Rows with a value, every row and cell counted first (the header is not a data row)."""
    for number, cells in numbered:
        budget.row()
        budget.cell(max(len(cells), 1))
        cells = cells[:MAX_COLUMNS]
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if cells:
            for value in cells:
                if isinstance(value, str):
                    budget.text_of(len(value))
            if number > 1:
                budget.data_row()
            yield number, cells


def _csv_rows(data: bytes, budget: Budget) -> tuple[list[str], Iterator[tuple[int, list[Cell]]]]:
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
    return notices, _non_empty(_guarded(rows), budget)


def _guarded(rows):
    try:
        yield from rows
    except csv.Error as err:
        raise UnreadableFile(f"Fichier CSV illisible : {err}.") from err


def _xlsx_rows(path: Path, budget: Budget) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook  # imported on use, like every rarely used reader

    handle = open(path, "rb")  # a file object: openpyxl would judge a path by its suffix
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        # The dimension the sheet declares (A1:XFD1048576 costs 17 billion cells to pad).
        budget.declared(sheet.max_row or 0, sheet.max_column or 0)
    except LimitExceeded:
        handle.close()
        raise
    except Exception as err:  # openpyxl raises many kinds for a damaged package
        handle.close()
        raise UnreadableFile("Fichier XLSX illisible.") from err
    try:
        # Never past the bounds, whatever the declared size: rows beyond `rows` are refused
        # once reached (openpyxl yields the gaps between rows as empty rows, each counted).
        columns = min(sheet.max_column or budget.limits.columns, budget.limits.columns)
        rows = sheet.iter_rows(max_row=budget.limits.rows + 1, max_col=columns, values_only=True)
        numbered = ((n, [_xlsx_value(v) for v in values]) for n, values in enumerate(rows, 1))
        yield from _non_empty(numbered, budget)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:  # a damaged or lying member
        raise UnreadableFile("Fichier XLSX illisible (archive endommagée).") from err
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


def _ods_rows(path: Path, budget: Budget) -> Iterator[tuple[int, list[Cell]]]:
    try:
        package = zipfile.ZipFile(path)
        content = sheet_limits.MemberReader(package, package.getinfo("content.xml"), budget)
    except (zipfile.BadZipFile, KeyError, OSError) as err:
        raise UnreadableFile("Fichier ODS illisible.") from err
    with package, content:
        number, tables, depth = 0, 0, 0
        try:
            for event, element in iterparse(content, events=("start", "end")):
                if event == "start":
                    depth += 1
                    budget.nesting(depth)
                    if element.tag == T_TABLE:
                        tables += 1
                    continue
                depth -= 1
                if tables != 1:  # only the first sheet
                    if element.tag == T_TABLE:
                        return
                    continue
                if element.tag == T_ROW:
                    repeat = _count(element.get(ROWS_REPEATED, "1"))
                    cells = _ods_cells(element, budget)
                    element.clear()
                    if not cells:  # repeated empty rows cost one row: nothing is expanded
                        budget.row()
                        number += repeat
                        continue
                    budget.declared(number + repeat, len(cells))  # a row with values down there
                    for _ in range(repeat):
                        number += 1
                        yield from _non_empty(iter([(number, list(cells))]), budget)
                elif element.tag == T_TABLE:
                    return
        except (ParseError, DefusedXmlException) as err:
            raise UnreadableFile("Fichier ODS illisible (XML invalide).") from err
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:  # a damaged or lying member
            raise UnreadableFile("Fichier ODS illisible (archive endommagée).") from err


def _count(value: str) -> int:
    try:
        return max(int(value), 1)
    except ValueError as err:
        raise UnreadableFile("Fichier ODS illisible (nombre de répétitions invalide).") from err


def _ods_cells(row, budget: Budget) -> list[Cell]:
    cells: list[Cell] = []
    for cell in row:
        if cell.tag not in (T_CELL, T_COVERED):
            continue
        budget.cell()
        repeat = min(_count(cell.get(COLUMNS_REPEATED, "1")), MAX_COLUMNS)
        cells.extend([_ods_value(cell, budget)] * repeat)
        if len(cells) >= MAX_COLUMNS:
            break
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _ods_value(cell, budget: Budget) -> Cell:
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
    length = [0]
    paragraphs = [_inline_text(p, budget, length) for p in cell if p.tag in (P, H)]
    return "\n".join(paragraphs) if paragraphs else None


def _inline_text(element, budget: Budget, length: list[int]) -> str:
    """The paragraph's text; `length` is the cell's so far, bounded before any piece is made
    (`<text:s text:c="400000000"/>` is 400 million spaces)."""
    parts = []

    def add(piece_length: int, make) -> None:
        length[0] += piece_length
        budget.chars(length[0])
        parts.append(make())

    add(len(element.text or ""), lambda: element.text or "")
    for child in element:
        if child.tag == SPACE:
            spaces = _count(child.get(f"{{{_TEXT}}}c", "1"))
            add(spaces, lambda: " " * spaces)  # noqa: B023 -- called at once
        elif child.tag == TAB:
            add(1, lambda: "\t")
        elif child.tag == BREAK:
            add(1, lambda: "\n")
        elif not child.tag.startswith(f"{{{_OFFICE}}}"):  # spans, links; not annotations
            parts.append(_inline_text(child, budget, length))
        add(len(child.tail or ""), lambda: child.tail or "")  # noqa: B023 -- called at once
    return "".join(parts)
