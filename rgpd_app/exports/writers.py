"""CSV, JSON and XLSX writers: rows + columns in, bytes out, memory flat (no Flask here).

CSV and JSON are generators of byte chunks so a response can stream them; XLSX is written by
openpyxl in write-only mode (rows go to a temporary file as they come) into a binary file.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rgpd_app.exports.values import (
    Column,
    csv_text,
    json_value,
    neutralise,
    read,
    sheet_name,
    spreadsheet_value,
    xml_safe,
)

CHUNK_SIZE = 64 * 1024  # bytes gathered before a chunk is handed to the server
BOM = "\ufeff".encode()


def csv_chunks(rows: Iterable[Any], columns: Sequence[Column]) -> Iterator[bytes]:
    """UTF-8 CSV with BOM, ";" separator and CRLF, as French Excel and LibreOffice expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(column.label) for column in columns])
    yield BOM + _drain(buffer)
    for row in rows:
        writer.writerow([csv_text(read(row, column)) for column in columns])
        if buffer.tell() >= CHUNK_SIZE:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def json_chunks(rows: Iterable[Any], columns: Sequence[Column]) -> Iterator[bytes]:
    """A JSON array of objects keyed by column key, written one object at a time."""
    parts: list[str] = ["["]
    size = 1
    separator = "\n"
    for row in rows:
        item = {column.key: json_value(read(row, column)) for column in columns}
        encoded = separator + json.dumps(item, ensure_ascii=False)
        separator = ",\n"
        parts.append(encoded)
        size += len(encoded)
        if size >= CHUNK_SIZE:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def write_xlsx(rows: Iterable[Any], columns: Sequence[Column], out: BinaryIO, *, title: str) -> int:
    """Write an XLSX workbook of one sheet to `out`; return the number of data rows.

    Every text goes in as a string cell (data type "s", never "f"), neutralised first, so a
    value such as "=HYPERLINK(...)" can never become a formula.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(title))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            max(len(column.label) + 2, 12), 50
        )
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = _cell(sheet, xml_safe(neutralise(column.label)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, spreadsheet_value(read(row, c))) for c in columns])
        count += 1
    workbook.save(out)
    return count


def _cell(sheet, value: Any) -> Any:
    """A text as an explicit string cell; numbers, days and instants as plain values (openpyxl
    gives days "yyyy-mm-dd" and instants "yyyy-mm-dd h:mm:ss"; a plain value is faster)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
