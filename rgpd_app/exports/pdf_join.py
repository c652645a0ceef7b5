"""Join PDF files page after page into one, streaming, and number the pages "Page n / N".

A long PDF export is laid out in chunks (WeasyPrint holds a whole document's layout in memory,
about 0.6 MB per register entry): each chunk becomes a small PDF file, and this module copies
their pages into the final document one chunk at a time, so memory depends on the chunk, never
on the document. Objects are renumbered and written as they are met (ISO 32000-1 §7.3.10
indirect objects, §7.5.4 cross-reference table); the page tree is one flat /Pages node
(§7.7.3.2). Page numbers cannot come from the chunks' own `counter(pages)`, which only counts the
chunk, so each page gets a last content stream drawing the number in Helvetica, one of the
standard fonts every reader has (§9.6.2.2).

Reading uses pikepdf (qpdf), which handles compressed object streams and every filter; its own
writer would keep every copied page in memory until the end.
"""

import hashlib
import os
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import pikepdf

CATALOG, PAGES, FONT, SAVE_STATE = 1, 2, 3, 4
FIRST_FREE = 5
FONT_NAME = "/RgpdPageNumber"
FONT_SIZE = 7.5
RIGHT_MARGIN = 34.0  # points from the right edge to the end of the number (1.2 cm)
BOTTOM = 22.0  # points from the bottom edge to the baseline
_HELVETICA_WIDTHS = {" ": 278, "/": 278, "P": 667, "a": 556, "g": 556, "e": 556}  # AFM, 1/1000 em
_SKIPPED_PAGE_KEYS = {"/Parent", "/Contents", "/Resources", "/MediaBox", "/CropBox", "/Rotate"}


class PdfJoiner:
    """Writes one PDF to `out` from the pages of several PDF files, in order.

    `total_pages` must be known before the first page is written (the number drawn on each page
    says "n / N"): count the chunks' pages first with `count_pages`.
    """

    def __init__(
        self, out: BinaryIO, *, total_pages: int, title: str = "", word: str = "Page",
        created: datetime | None = None,
    ):  # fmt: skip
        self._out = out
        # The same pages give the same bytes (an evidence pack's manifest relies on it): the
        # date is the document's own, the file identifier a digest of what was written.
        self._created = created or datetime.now(UTC)
        self._digest = hashlib.md5(usedforsecurity=False)
        self._offsets: dict[int, int] = {}
        self._page_refs: list[int] = []
        self._next = FIRST_FREE
        self._total = total_pages
        self._word = word
        self._title = title
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._object(FONT, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                           b"/Encoding /WinAnsiEncoding >>")  # fmt: skip
        self._stream(SAVE_STATE, b"q\n")

    def add_file(self, path: str | os.PathLike) -> int:
        """Copy every page of the PDF at `path`; return how many."""
        with pikepdf.open(path) as source:
            numbers: dict[tuple[int, int], int] = {source.Root.Pages.objgen: PAGES}
            queue: deque = deque()
            pages = list(source.pages)
            for page in pages:  # pages first, so links between pages resolve to them
                numbers[page.obj.objgen] = self._take()
            for page in pages:
                self._page(page, numbers, queue)
                while queue:
                    number, obj = queue.popleft()
                    self._copy(number, obj, numbers, queue)
            return len(pages)

    def close(self) -> int:
        """Write the page tree, the catalogue, the cross-reference table; return the page count."""
        kids = b" ".join(b"%d 0 R" % number for number in self._page_refs)
        count = len(self._page_refs)
        self._object(PAGES, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (count, kids))
        self._object(CATALOG, b"<< /Type /Catalog /Pages 2 0 R >>")
        info = self._take()
        stamp = self._created.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ").encode()
        self._object(
            info,
            b"<< /Title %s /Producer (rgpd_app) /CreationDate (%s) >>"
            % (pikepdf.String(self._title).unparse(), stamp),
        )
        start = self._out.tell()
        size = self._next
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f\r\n"]
        for number in range(1, size):
            offset = self._offsets.get(number)
            lines.append(b"%010d 00000 n\r\n" % offset if offset is not None else
                         b"0000000000 65535 f\r\n")  # fmt: skip
        self._write(b"".join(lines))
        file_id = self._digest.hexdigest().encode()
        self._write(
            b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
            b"startxref\n%d\n%%%%EOF\n" % (size, info, file_id, file_id, start)
        )
        return len(self._page_refs)

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, page: pikepdf.Page, numbers: dict, queue: deque) -> None:
        obj = page.obj
        number = numbers[obj.objgen]
        parts = [b"/Parent 2 0 R"]
        for key in obj.keys():
            if key not in _SKIPPED_PAGE_KEYS:
                parts.append(key.encode() + b" " + self._value(obj[key], numbers, queue))
        parts.append(b"/MediaBox " + self._value(page.mediabox, numbers, queue))
        rotate = obj.get("/Rotate")  # inherited attributes are written on the page itself
        if rotate is not None:
            parts.append(b"/Rotate %d" % int(rotate))
        parts.append(b"/Resources " + self._resources(obj.get("/Resources"), numbers, queue))
        contents = obj.get("/Contents")
        if contents is None:
            streams = []
        else:
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        refs = [self._value(stream, numbers, queue) for stream in streams]
        stamp = self._take()
        self._stream(stamp, self._number_stream(len(self._page_refs) + 1, page.mediabox))
        parts.append(b"/Contents [%d 0 R %s %d 0 R]" % (SAVE_STATE, b" ".join(refs), stamp))
        self._object(number, b"<< " + b" ".join(parts) + b" >>")
        self._page_refs.append(number)

    def _resources(self, resources, numbers: dict, queue: deque) -> bytes:
        """The page's resources with the page-number font added to its /Font dictionary."""
        parts, fonts = [], [FONT_NAME.encode() + b" %d 0 R" % FONT]
        for key in resources.keys() if resources is not None else []:
            if key == "/Font":
                for name, font in resources[key].items():
                    fonts.append(name.encode() + b" " + self._value(font, numbers, queue))
            else:
                parts.append(key.encode() + b" " + self._value(resources[key], numbers, queue))
        parts.append(b"/Font << " + b" ".join(fonts) + b" >>")
        return b"<< " + b" ".join(parts) + b" >>"

    def _number_stream(self, index: int, mediabox) -> bytes:
        text = f"{self._word} {index} / {self._total}"
        width = sum(_HELVETICA_WIDTHS.get(c, 556) for c in text) * FONT_SIZE / 1000
        right = float(mediabox[2])
        x = max(right - RIGHT_MARGIN - width, 0.0)
        encoded = pikepdf.String(text).unparse()
        return b"Q\nBT /%s %.1f Tf 0.27 0.27 0.27 rg %.2f %.2f Td %s Tj ET\n" % (
            FONT_NAME[1:].encode(), FONT_SIZE, x, BOTTOM, encoded,
        )  # fmt: skip

    # -- objects -------------------------------------------------------------------------------

    def _copy(self, number: int, obj, numbers: dict, queue: deque) -> None:
        if isinstance(obj, pikepdf.Stream):
            raw = obj.read_raw_bytes()
            entries = [
                key.encode() + b" " + self._value(obj.stream_dict[key], numbers, queue)
                for key in obj.stream_dict.keys()
                if key != "/Length"
            ]
            head = b"<< " + b" ".join(entries) + b" /Length %d >>" % len(raw)
            self._write(b"%d 0 obj\n%s\nstream\n" % (number, head), number)
            self._write(raw + b"\nendstream\nendobj\n")
        else:
            self._object(number, self._value(obj, numbers, queue, direct=True))

    def _value(self, value, numbers: dict, queue: deque, *, direct: bool = False) -> bytes:
        """PDF syntax of `value`; an indirect object becomes a reference, copied later."""
        if isinstance(value, pikepdf.Object) and value.is_indirect and not direct:
            key = value.objgen
            if key not in numbers:
                numbers[key] = self._take()
                queue.append((numbers[key], value))
            return b"%d 0 R" % numbers[key]
        if isinstance(value, pikepdf.Dictionary):
            return (
                b"<< "
                + b" ".join(
                    k.encode() + b" " + self._value(value[k], numbers, queue) for k in value.keys()
                )
                + b" >>"
            )
        if isinstance(value, pikepdf.Array):
            return b"[" + b" ".join(self._value(item, numbers, queue) for item in value) + b"]"
        if isinstance(value, pikepdf.Object):  # names, strings, operators
            return value.unparse()
        if value is None:
            return b"null"
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, Decimal | float):
            return format(Decimal(value).normalize(), "f").encode()
        return pikepdf.Object.parse(str(value).encode()).unparse()  # pragma: no cover

    def _take(self) -> int:
        number, self._next = self._next, self._next + 1
        return number

    def _object(self, number: int, body: bytes) -> None:
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body), number)

    def _stream(self, number: int, data: bytes) -> None:
        self._object(number, b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data))

    def _write(self, data: bytes, number: int | None = None) -> None:
        if number is not None:
            self._offsets[number] = self._out.tell()
        self._out.write(data)
        self._digest.update(data)


def count_pages(path: str | os.PathLike) -> int:
    with pikepdf.open(path) as source:
        return len(source.pages)


def join_pdfs(
    paths: Iterable[str | os.PathLike], out: BinaryIO, *, title: str = "", word: str = "Page",
    created: datetime | None = None,
) -> int:  # fmt: skip
    """Write the pages of `paths` in order to `out`, numbered "word n / N"; return N."""
    paths = [Path(p) for p in paths]
    joiner = PdfJoiner(out, total_pages=sum(map(count_pages, paths)), title=title, word=word,
                       created=created)  # fmt: skip
    for path in paths:
        joiner.add_file(path)
    return joiner.close()
