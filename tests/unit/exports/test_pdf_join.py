"""Joining chunk PDFs: every page kept in order, numbered n / N, links and page sizes kept."""

import io

import pytest
from pypdf import PdfReader

from rgpd_app.exports.pdf_join import count_pages, join_pdfs

weasyprint = pytest.importorskip("weasyprint")


def _pdf(path, body: str, size: str = "A4 portrait") -> None:
    html = f"<html><head><style>@page {{ size: {size}; }}</style></head><body>{body}</body></html>"
    weasyprint.HTML(string=html).write_pdf(path)


def _pages(paragraphs: int, label: str) -> str:
    page = "<p style='page-break-after: always'>{} {}</p>"
    return "".join(page.format(label, i) for i in range(paragraphs))


def test_pages_come_in_order_each_numbered_out_of_the_total(tmp_path):
    _pdf(tmp_path / "a.pdf", _pages(2, "Premier"))
    _pdf(tmp_path / "b.pdf", _pages(3, "Second"), size="A4 landscape")
    out = io.BytesIO()
    total = join_pdfs([tmp_path / "a.pdf", tmp_path / "b.pdf"], out, title="Registre — Évry")
    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    texts = [page.extract_text() for page in reader.pages]
    assert total == len(reader.pages) == count_pages(tmp_path / "a.pdf") + 3
    firsts = [t.splitlines()[0] for t in texts if t.startswith(("Premier", "Second"))]
    assert firsts == ["Premier 0", "Premier 1", "Second 0", "Second 1", "Second 2"]
    for index, text in enumerate(texts, start=1):
        assert text.rstrip().endswith(f"Page {index} / {total}")
    assert reader.metadata.title == "Registre — Évry"
    portrait, landscape = reader.pages[0].mediabox, reader.pages[-1].mediabox
    assert portrait.width < portrait.height and landscape.width > landscape.height


def test_links_fonts_and_the_localised_word_survive_the_join(tmp_path):
    _pdf(tmp_path / "a.pdf", "<p>Voir <a href='https://www.cnil.fr/'>la CNIL</a> — àéîõü</p>")
    out = io.BytesIO()
    join_pdfs([tmp_path / "a.pdf"], out, word="Seite")
    page = PdfReader(io.BytesIO(out.getvalue())).pages[0]
    assert "àéîõü" in page.extract_text() and "Seite 1 / 1" in page.extract_text()
    uris = [a.get_object()["/A"]["/URI"] for a in page["/Annots"]]
    assert uris == ["https://www.cnil.fr/"]


def test_an_empty_list_of_files_gives_no_page_but_a_valid_file():
    out = io.BytesIO()
    assert join_pdfs([], out) == 0
    assert len(PdfReader(io.BytesIO(out.getvalue())).pages) == 0
