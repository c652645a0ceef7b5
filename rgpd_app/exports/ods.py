"""OpenDocument spreadsheet (ODS) writer, streamed row by row into a zip (no Flask here).

French public bodies work in ODF. odfpy builds the whole document tree in memory before saving
(hundreds of MB for 45,000 rows), so the package is written by hand: the `mimetype` entry first
and stored uncompressed (ODF 1.3 part 2, §3.3), the manifest, small `styles.xml` and `meta.xml`,
and `content.xml` written through `ZipFile.open(name, "w")` as the rows come.
"""

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

from rgpd_app.exports.values import Column, read, sheet_name, spreadsheet_value, xml_safe

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
CHUNK_SIZE = 64 * 1024
_STAMP = (1980, 1, 1, 0, 0, 0)  # fixed entry dates: the same rows give the same file

_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'office:version="1.3"'
)
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'

_MANIFEST = (
    _HEAD + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
    'manifest:1.0" manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.3" '
    f'manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)

_STYLES = (
    _HEAD + f"<office:document-styles {_NS}><office:styles>"
    '<style:default-style style:family="table-cell"/>'
    '<style:style style:name="Default" style:family="table-cell"/>'
    "</office:styles></office:document-styles>"
)

_DAY = (
    '<number:year number:style="long"/><number:text>-</number:text>'
    '<number:month number:style="long"/><number:text>-</number:text>'
    '<number:day number:style="long"/>'
)
_TIME = (
    '<number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text>'
    '<number:minutes number:style="long"/><number:text>:</number:text>'
    '<number:seconds number:style="long"/>'
)
_AUTOMATIC_STYLES = (
    "<office:automatic-styles>"
    f'<number:date-style style:name="N1">{_DAY}</number:date-style>'
    f'<number:date-style style:name="N2">{_DAY}{_TIME}</number:date-style>'
    '<style:style style:name="co1" style:family="table-column">'
    '<style:table-column-properties style:column-width="4cm"/></style:style>'
    '<style:style style:name="ceH" style:family="table-cell" style:parent-style-name="Default">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    '<style:style style:name="ceD" style:family="table-cell" style:parent-style-name="Default" '
    'style:data-style-name="N1"/>'
    '<style:style style:name="ceT" style:family="table-cell" style:parent-style-name="Default" '
    'style:data-style-name="N2"/>'
    "</office:automatic-styles>"
)


def write_ods(
    rows: Iterable[Any],
    columns: Sequence[Column],
    out: BinaryIO,
    *,
    title: str,
    created_at: datetime | None = None,
) -> int:
    """Write an ODS spreadsheet of one sheet to the seekable `out`; return the data row count.

    Every text is a string cell (no table:formula is ever written), neutralised first.
    """
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(_entry("mimetype", zipfile.ZIP_STORED), MIMETYPE)
        package.writestr(_entry("META-INF/manifest.xml"), _MANIFEST)
        package.writestr(_entry("styles.xml"), _STYLES)
        package.writestr(_entry("meta.xml"), _meta(title, created_at))
        with package.open(_entry("content.xml"), "w") as content:
            return _write_content(content, rows, columns, title)


def _entry(name: str, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_STAMP)
    info.compress_type = compression
    return info


def _meta(title: str, created_at: datetime | None) -> str:
    created = (
        f"<meta:creation-date>{created_at.isoformat(timespec='seconds')}</meta:creation-date>"
        if created_at
        else ""
    )
    return (
        _HEAD + f"<office:document-meta {_NS}><office:meta>"
        "<meta:generator>rgpd_app</meta:generator>"
        f"<dc:title>{escape(xml_safe(title))}</dc:title>{created}"
        "</office:meta></office:document-meta>"
    )


def _write_content(content, rows: Iterable[Any], columns: Sequence[Column], title: str) -> int:
    content.write(
        (
            _HEAD + f"<office:document-content {_NS}>{_AUTOMATIC_STYLES}"
            "<office:body><office:spreadsheet>"
            f"<table:table table:name={quoteattr(sheet_name(title))}>"
            '<table:table-column table:style-name="co1" '
            f'table:number-columns-repeated="{max(len(columns), 1)}" '
            'table:default-cell-style-name="Default"/>'
            "<table:table-header-rows><table:table-row>"
            + "".join(_string_cell(xml_safe(c.label), ' table:style-name="ceH"') for c in columns)
            + "</table:table-row></table:table-header-rows>"
        ).encode("utf-8")
    )
    parts: list[str] = []
    size = count = 0
    for row in rows:
        line = (
            "<table:table-row>"
            + "".join(_cell(spreadsheet_value(read(row, column))) for column in columns)
            + "</table:table-row>"
        )
        parts.append(line)
        size += len(line)
        count += 1
        if size >= CHUNK_SIZE:
            content.write("".join(parts).encode("utf-8"))
            parts, size = [], 0
    parts.append("</table:table></office:spreadsheet></office:body></office:document-content>")
    content.write("".join(parts).encode("utf-8"))
    return count


def _cell(value: Any) -> str:
    """One table cell; `value` comes from spreadsheet_value (number, day, instant or text)."""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, datetime):
        stamp = value.isoformat(timespec="seconds")
        return _typed(' table:style-name="ceT" office:value-type="date"', "date-value", stamp)
    if isinstance(value, date):
        stamp = value.isoformat()
        return _typed(' table:style-name="ceD" office:value-type="date"', "date-value", stamp)
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return _string_cell(str(value))
        number = str(value) if isinstance(value, Decimal) else repr(value)
        return _typed(' office:value-type="float"', "value", number)
    return _string_cell(value)


def _typed(attributes: str, value_attribute: str, value: str) -> str:
    return (
        f'<table:table-cell{attributes} office:{value_attribute}="{value}">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def _string_cell(value: str, attributes: str = "") -> str:
    paragraphs = "".join(
        f"<text:p>{_inline(line)}</text:p>" for line in re.split(r"\r\n|\r|\n", value)
    )
    return (
        f'<table:table-cell{attributes} office:value-type="string">{paragraphs}</table:table-cell>'
    )


def _inline(line: str) -> str:
    """Escape a line for text:p, keeping tabs and runs of spaces that ODF would collapse."""
    escaped = escape(line).replace("\t", "<text:tab/>")

    def spaces(match: re.Match) -> str:
        run = len(match.group())
        if match.start() == 0:
            return f'<text:s text:c="{run}"/>'
        return f' <text:s text:c="{run - 1}"/>'

    return re.sub(r"^ +| {2,}", spaces, escaped)
