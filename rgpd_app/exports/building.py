"""Write an export to a file, whatever its format: shared by the answers given inside a request
(response.py) and the files the worker builds for long exports (jobs/services.py)."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, BinaryIO

from rgpd_app import clock
from rgpd_app.exports.ods import write_ods
from rgpd_app.exports.pdf import TABLE_TEMPLATE, write_pdf_table
from rgpd_app.exports.values import Column, paris_time
from rgpd_app.exports.writers import csv_chunks, json_chunks, write_xlsx

PROGRESS_EVERY = 500  # rows between two progress reports (a PDF reports once per chunk)
STREAMED = {"csv": csv_chunks, "json": json_chunks}


def write_file(
    fmt: str,
    out: BinaryIO,
    *,
    rows: Iterable[Any],
    columns: Sequence[Column],
    title: str,
    total: int,
    pdf_template: str | None = None,
    pdf_context: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `rows` in `fmt` (a name of FORMATS, already checked) to `out`; return the count.

    `total` is the number of rows expected (the PDF prints it on its first page); `progress`,
    when given, is called with the number of rows written so far.
    """
    report = progress or (lambda done: None)
    if fmt == "pdf":
        context = {"title": title, "generated_at": clock.now(), **(pdf_context or {})}
        return write_pdf_table(
            rows, columns, out, template=pdf_template or TABLE_TEMPLATE, context=context,
            total=total, progress=report,
        )  # fmt: skip
    counted = _Counted(rows, report)
    if fmt in STREAMED:
        for chunk in STREAMED[fmt](counted, columns):
            out.write(chunk)
    elif fmt == "xlsx":
        write_xlsx(counted, columns, out, title=title)
    else:
        created = paris_time(clock.now()).replace(tzinfo=None)
        write_ods(counted, columns, out, title=title, created_at=created)
    report(counted.count)
    return counted.count


class _Counted:
    """The rows, counted as they are read, with a progress report every PROGRESS_EVERY."""

    def __init__(self, rows: Iterable[Any], report: Callable[[int], None]) -> None:
        self._rows, self._report, self.count = rows, report, 0

    def __iter__(self) -> Iterator[Any]:
        for row in self._rows:
            self.count += 1
            if self.count % PROGRESS_EVERY == 0:
                self._report(self.count)
            yield row
