"""The Flask shell of the exports: pick the writer, stream or spool its bytes, set the headers."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from tempfile import SpooledTemporaryFile
from typing import Any

from flask import Response, current_app, request, send_file, stream_with_context
from werkzeug.wsgi import wrap_file

from rgpd_app.errors import ValidationFailed
from rgpd_app.exports.building import STREAMED, write_file
from rgpd_app.exports.values import Column
from rgpd_app.files import content_disposition
from rgpd_app.messages import N_

FORMATS = ("csv", "xlsx", "ods", "json", "pdf")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
    "pdf": "application/pdf",
    "zip": "application/zip",  # evidence packs (AES-256), built by the worker only
}
# WeasyPrint takes ~16 CPU s for 1,000 rows (bench/exports.py; memory stays bounded, the PDF
# being laid out in chunks): past this many rows a PDF built inside a request would outlast
# gunicorn's 30 s. Domains with long lists queue them for the worker instead (exports/jobs/).
PDF_MAX_ROWS = 500
SPOOL_LIMIT = 4 * 1024 * 1024  # a bigger XLSX/ODS file goes to a temporary file on disk


def export_response(
    fmt: str,
    *,
    rows: Iterable[Any] | Callable[[], Iterable[Any]],
    columns: Sequence[Column],
    filename: str,
    title: str,
    pdf_template: str | None = None,
    pdf_context: dict | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Response:
    """An attachment answer with `rows` in `fmt` ("csv", "xlsx", "ods", "json" or "pdf").

    `filename` has no extension. CSV and JSON are streamed: `rows` (possibly a generator over
    a large query) is read while the answer is sent, inside the request context, and `on_done`
    is called with the row count just before the last chunk; if it raises (say the journal
    entry cannot be written) the download ends incomplete. Other formats read all rows first
    and call `on_done` before answering.

    A PDF of more than `EXPORT_PDF_MAX_ROWS` rows (app config, default PDF_MAX_ROWS) is refused
    on the "format" field. A PDF template receives `title`, `generated_at`, `columns`, `rows`
    (the row objects), `table` (their display texts), `row_count`, `widths` and the keys of
    `pdf_context`.

    `rows` may also be a callable returning them: pass one for a query (`lambda:
    db.session.scalars(stmt.execution_options(yield_per=1000))`), so that it runs while the
    answer streams, on that moment's database session — the view's session is closed once the
    view has returned, and a result opened there can no longer load rows. `yield_per` keeps
    memory flat (PostgreSQL then reads through a server-side cursor).
    """
    fmt = check_format(fmt)
    report = on_done or (lambda count: None)
    if fmt in STREAMED:
        chunks = _reporting(STREAMED[fmt], rows, columns, report)
        response = Response(stream_with_context(chunks), content_type=MIMETYPES[fmt])
    else:
        rows = rows() if callable(rows) else rows
        if fmt == "pdf":
            rows = _at_most_pdf_rows(rows)
        spool = SpooledTemporaryFile(max_size=SPOOL_LIMIT)  # closed by wrap_file
        try:
            count = write_file(
                fmt, spool, rows=rows, columns=columns, title=title,
                total=len(rows) if fmt == "pdf" else 0,
                pdf_template=pdf_template, pdf_context=pdf_context,
            )  # fmt: skip
            report(count)
        except BaseException:
            spool.close()
            raise
        length = spool.tell()
        spool.seek(0)
        response = Response(
            wrap_file(request.environ, spool), content_type=MIMETYPES[fmt], direct_passthrough=True
        )
        response.content_length = length
    response.headers["Content-Disposition"] = content_disposition(f"{filename}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


def check_format(fmt: Any, formats: tuple[str, ...] = FORMATS) -> str:
    """The format name, lower-cased; one not in `formats` is refused with a French message."""
    name = str(fmt or "").strip().lower()
    if name not in formats:
        shown = str(fmt or "")[:20]
        raise ValidationFailed(
            {
                "format": [
                    N_(
                        "Format inconnu : %(shown)s (%(formats)s).",
                        shown=shown,
                        formats=", ".join(formats),
                    )
                ]
            }
        )
    return name


def _at_most_pdf_rows(rows: Iterable[Any]) -> list[Any]:
    """The rows, refused when too many for a PDF built inside a request (the rest is not read)."""
    limit = current_app.config.get("EXPORT_PDF_MAX_ROWS", PDF_MAX_ROWS)
    items = list(islice(rows, limit + 1))
    if len(items) > limit:
        # Close the reader now, in its transaction: the page that shows the refusal reads the
        # database again (the user's language) after the rollback.
        getattr(rows, "close", lambda: None)()
        message = N_(
            "Liste trop longue pour un PDF (plus de %(limit)s lignes) : "
            "filtrez-la ou choisissez CSV, XLSX ou ODS.",
            limit=limit,
        )
        raise ValidationFailed({"format": [message]})
    return items


def _reporting(writer, rows, columns, report: Callable[[int], None]) -> Iterator[bytes]:
    """The writer's chunks, holding the last one back until `report(row_count)` has run."""
    tally = 0

    def counted():
        nonlocal tally
        for row in rows() if callable(rows) else rows:
            tally += 1
            yield row

    pending = None
    for chunk in writer(counted(), columns):
        if not chunk:
            continue
        if pending is not None:
            yield pending
        pending = chunk
    report(tally)
    if pending is not None:
        yield pending


def file_response(path, export):
    """A long export's built file as an attachment under its export's name, never cached."""
    response = send_file(
        path, mimetype=MIMETYPES[export.fmt], as_attachment=True, download_name=export.filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response
