"""What a PDF renderer process runs: one HTML document laid out into a PDF file.

WeasyPrint's native caches grow a little with every document it lays out (about 1.4 MB per
100 register entries here), so a long PDF is laid out by child processes that are replaced
every few chunks (pdf.py): the worker's own memory stays flat. This module imports WeasyPrint
only, so a child starts without the web application.
"""


def lay_out(html: str, path: str) -> str:
    """Write the PDF of `html` to `path`; return `path`."""
    import weasyprint

    weasyprint.HTML(string=html).write_pdf(path)
    return path
