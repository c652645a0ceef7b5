"""PDF exports: an HTML template rendered with Jinja, then laid out by WeasyPrint.

A list is laid out in chunks of `CHUNK_ROWS` rows, each its own small PDF, joined page after page
by `pdf_join` (which numbers the pages): WeasyPrint keeps a whole document's layout in memory
(about 0.6 MB per register entry), so a chunk bounds the memory whatever the list's length.
"""

import multiprocessing
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app, render_template
from flask_babel import gettext as _

from rgpd_app.exports.pdf_fetcher import html_document
from rgpd_app.exports.pdf_layout import lay_out
from rgpd_app.exports.values import Column, display_text, read

TABLE_TEMPLATE = "exports/table.html"
WIDTH_SAMPLE = 200  # rows looked at to share the page width between the columns
CHUNK_ROWS = 100  # rows laid out at once: ~60 MB of WeasyPrint layout for register entries
PROCESSES = 2  # renderer processes for a PDF of several chunks
CHUNKS_PER_PROCESS = 20  # chunks a renderer lays out before it is replaced by a fresh one
LINE_CHARACTERS = 175  # digits of the table's font that fit across an A4 landscape page
CELL_PADDING = 1.5  # a cell's padding and border, in the same digits


def render_pdf(template: str, **context) -> bytes:
    """Render `template` with `context` and return the PDF bytes (needs an app context)."""
    html = render_template(template, **context)
    return html_document(html).write_pdf(pdf_identifier=True)


def write_pdf_table(
    rows: Iterable[Any],
    columns: Sequence[Column],
    out: BinaryIO,
    *,
    template: str,
    context: dict,
    total: int,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int | None = None,
) -> int:
    """Write `rows` as one PDF to `out`, laid out `chunk_rows` at a time; return the row count.

    The template receives, besides `context`: `columns`, `rows` and `table` (this chunk's rows
    and their display texts), `widths` (decided on the first chunk, kept for the others),
    `row_count` (= `total`), `first_chunk`, `continued` (the last row of the previous chunk,
    None on the first) and `numbered_later` (the page numbers are drawn at the join: the
    template must not print `counter(pages)`, which would only count its own chunk).

    One chunk is laid out here; more are laid out by EXPORT_PDF_PROCESSES renderer processes,
    each replaced after EXPORT_PDF_CHUNKS_PER_PROCESS chunks (pdf_layout.py says why), while
    this process renders the next chunks' HTML; `progress` follows the chunks in order.
    """
    from rgpd_app.exports.pdf_join import join_pdfs  # pikepdf, on use as well

    config = current_app.config
    chunk_rows = chunk_rows or config.get("EXPORT_PDF_CHUNK_ROWS", CHUNK_ROWS)
    source = iter(rows)
    count, previous, widths = 0, None, None
    with (
        tempfile.TemporaryDirectory(prefix="rgpd-pdf-") as folder,
        _Renderers(
            several=total > chunk_rows,
            processes=config.get("EXPORT_PDF_PROCESSES", PROCESSES),
            chunks_per_process=config.get("EXPORT_PDF_CHUNKS_PER_PROCESS", CHUNKS_PER_PROCESS),
            progress=progress or (lambda done: None),
        ) as renderers,
    ):
        paths: list[Path] = []
        while True:
            chunk = list(islice(source, chunk_rows))
            if not chunk and paths:
                break
            table = [[display_text(read(row, column)) for column in columns] for row in chunk]
            if widths is None:
                widths = column_widths([c.label for c in columns], table[:WIDTH_SAMPLE])
            html = render_template(
                template,
                **context,
                columns=columns,
                rows=chunk,
                table=table,
                widths=widths,
                row_count=total,
                first_chunk=not paths,
                continued=previous,
                numbered_later=True,
            )
            paths.append(Path(folder) / f"{len(paths):06d}.pdf")
            count += len(chunk)
            renderers.lay_out(html, paths[-1], done=count)
            previous = chunk[-1] if chunk else None
            if len(chunk) < chunk_rows:
                break
        renderers.finish()
        join_pdfs(paths, out, title=str(context.get("title", "")), word=_("Page"),
                  created=context.get("generated_at"))  # fmt: skip
    return count


class _Renderers:
    """Lays chunks out here (a single one) or in a pool of renderer processes, a few ahead."""

    def __init__(self, *, several: bool, processes: int, chunks_per_process: int, progress):
        self._progress = progress
        self._pending: deque[tuple[Future, int]] = deque()
        self._pool = None
        self._ahead = max(1, processes)
        if several:
            self._pool = ProcessPoolExecutor(
                max_workers=self._ahead,
                mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded worker
                max_tasks_per_child=max(1, chunks_per_process),
            )

    def __enter__(self) -> "_Renderers":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def lay_out(self, html: str, path: Path, *, done: int) -> None:
        if self._pool is None:
            lay_out(html, str(path))
            self._progress(done)
            return
        self._pending.append((self._pool.submit(lay_out, html, str(path)), done))
        while len(self._pending) > self._ahead:
            self._wait_oldest()

    def finish(self) -> None:
        while self._pending:
            self._wait_oldest()

    def _wait_oldest(self) -> None:
        future, done = self._pending.popleft()
        future.result()  # a renderer's failure fails the export
        self._progress(done)


def column_widths(labels: Sequence[str], sample: Sequence[Sequence[str]]) -> list[float]:
    """Percent of the page width for each column, from its header and typical texts.

    The table is laid out with `table-layout: fixed` (WeasyPrint's automatic layout measures
    every cell first and is about three times slower), so the widths are decided here: each
    column first gets room for its longest word (a date, an amount: up to 20 characters), then
    what is left of the line is shared by how much longer its texts typically are.
    """
    if not labels:
        return []
    minimums, wishes = [], []
    for index, label in enumerate(labels):
        texts = [cells[index] for cells in sample]
        typical = sum(map(len, texts)) / len(texts) if texts else 0.0
        word = max((len(w) for text in [label, *texts] for w in text.split()), default=0)
        minimums.append(max(3, min(word, 20)) + CELL_PADDING)
        wishes.append(max(min(typical, 60.0) - min(word, 20), 0.0))
    spare = max(LINE_CHARACTERS - sum(minimums), 0.0)
    wanted = sum(wishes)
    shares = [
        minimum + (spare * wish / wanted if wanted else spare / len(minimums))
        for minimum, wish in zip(minimums, wishes, strict=True)
    ]
    total = sum(shares)
    return [round(100 * share / total, 2) for share in shares]
