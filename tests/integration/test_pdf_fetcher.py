"""The PDF renderer reads our static files and nothing else: no file of the server, no socket."""

import http.server
import logging
import threading
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader

pytest.importorskip("weasyprint")  # before the modules that import it

from rgpd_app.exports.pdf_fetcher import (  # noqa: E402
    STATIC_ROOT,
    RefusedURL,
    StaticFilesOnly,
    html_document,
)
from rgpd_app.exports.pdf_layout import lay_out  # noqa: E402


@pytest.fixture
def loopback():
    """A tiny HTTP server on 127.0.0.1 that remembers every request it receives."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            received.append(self.path)
            body = b"a { color: red; font-weight: 100; }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()
    thread.join()


def hostile_page(port: int) -> str:
    return f"""<!doctype html><html><head>
<link rel="stylesheet" href="style.css">
<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">
<link rel="stylesheet" href="file:///etc/passwd">
</head><body>
<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/pixel.png">
<img src="data:image/svg+xml,&lt;svg xmlns='http://www.w3.org/2000/svg'/&gt;">
<a class="brand">Registre</a>
</body></html>"""


def brand_weight(document) -> int:
    boxes = document.pages[0]._page_box.descendants()
    return next(box.style["font_weight"] for box in boxes if box.element_tag == "a")


def test_asvs_v1_3_6_pdf_renderer_fetches_only_our_static_files(loopback, caplog):
    port, received = loopback
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        document = html_document(hostile_page(port)).render()
    assert received == []  # not one request reached the loopback server
    assert brand_weight(document) == 700  # `.brand { font-weight: 700 }` of static/style.css
    refused = caplog.text
    assert "file:///etc/passwd" in refused and f"127.0.0.1:{port}" in refused


def test_asvs_v1_3_6_renderer_processes_fetch_nothing_either(loopback, tmp_path):
    port, received = loopback
    target = tmp_path / "chunk.pdf"
    lay_out(hostile_page(port), str(target))
    assert target.read_bytes().startswith(b"%PDF")
    assert received == []
    assert b"root:" not in target.read_bytes()


def test_asvs_v1_3_6_templated_pdfs_fetch_nothing(app, loopback):
    from rgpd_app.exports import render_pdf

    port, received = loopback
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"hostile.html": hostile_page(port)}), app.jinja_env.loader]
    )
    assert render_pdf("hostile.html").startswith(b"%PDF")
    assert received == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (STATIC_ROOT / ".." / "__init__.py").as_uri(),
        STATIC_ROOT.as_uri() + "/../config.py",
        STATIC_ROOT.as_uri() + "/%2e%2e/config.py",
        f"file://example.org{STATIC_ROOT}/style.css",
        "http://127.0.0.1:1/x.css",
        "https://example.org/x.css",
        "ftp://127.0.0.1/x",
        "data:text/css,a{color:red}",
        STATIC_ROOT.as_uri(),  # the folder itself
    ],
)
def test_asvs_v5_3_2_fetcher_refuses_what_is_not_a_static_file(url):
    with pytest.raises(RefusedURL):
        StaticFilesOnly().fetch(url)


def test_asvs_v5_3_2_a_symbolic_link_does_not_lead_out_of_the_static_folder(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "out.css").symlink_to("/etc/passwd")
    fetcher = StaticFilesOnly(tmp_path / "static")
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "static" / "out.css").as_uri())


def test_our_stylesheet_is_read_with_its_type():
    answer = StaticFilesOnly().fetch(STATIC_ROOT.as_uri() + "/style.css")
    assert answer.content_type == "text/css"
    assert answer.read() == Path(STATIC_ROOT / "style.css").read_bytes()
    answer.close()
