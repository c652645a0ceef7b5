"""What a PDF renderer process runs: one HTML document laid out into a PDF file.

WeasyPrint's native caches grow a little with every document it lays out (about 1.4 MB per
100 register entries here), so a long PDF is laid out by child processes that are replaced
every few chunks (pdf.py): the worker's own memory stays flat. This module imports WeasyPrint
and the standard library only, so a child starts without the web application. The chunk file
is created 0600 (a chunk holds the export's personal data) and WeasyPrint reads nothing but our
static files (pdf_fetcher.py).
"""

import os

from rgpd_app.exports.pdf_fetcher import html_document


def lay_out(html: str, path: str) -> str:
    """Write the PDF of `html` to a new 0600 file at `path`; return `path`."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        # The file identifier from the content (md5), not at random: the same document gives
        # the same bytes, which an evidence pack's manifest relies on.
        html_document(html).write_pdf(out, pdf_identifier=True)
    return path
