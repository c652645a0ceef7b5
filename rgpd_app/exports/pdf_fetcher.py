"""What WeasyPrint may read while it lays out a PDF: our own static files, nothing else.

WeasyPrint's default fetcher opens whatever URL the HTML names (file:///etc/passwd,
http://127.0.0.1:…, ftp:, data:), and values typed by users end up in the HTML of letters and
exports: one escaping slip would make the renderer read the server's files or call its internal
services (ASVS 5.0 V1.3.6, V5.3.2). Every HTML(...) is therefore given `StaticFilesOnly`: a
file under rgpd_app/static, by its real path (no `..` nor symbolic link leads out of it), and
every other URL refused before a file or a socket is opened; WeasyPrint then lays the page out
without the resource. Fonts are not fetched by URL: fontconfig finds the system's fonts.

Relative URLs resolve against the static folder (`BASE_URL`): a template links our stylesheet as
`<link rel="stylesheet" href="style.css">`. This module imports WeasyPrint only, so a renderer
process (pdf_layout.py) starts without the web application.
"""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
BASE_URL = STATIC_ROOT.as_uri() + "/"


class RefusedURL(ValueError):
    """A URL the PDF renderer may not read (WeasyPrint logs it and goes on without it)."""


class StaticFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that reads files under `root` and refuses every other URL."""

    def __init__(self, root: Path = STATIC_ROOT):
        # The parent's own opener (HTTP, FTP, data:) is never used: fetch() below reads the file.
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self._root = Path(root).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"URL refusée pour le PDF : {url[:100]}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self._root) or not path.is_file():
            raise RefusedURL(f"Fichier refusé pour le PDF : {url[:100]}")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})


def html_document(html: str):
    """WeasyPrint's HTML document for `html`, reading only our static files."""
    import weasyprint  # imported on use: it is slow to load and only PDF exports need it

    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())
