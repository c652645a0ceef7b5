"""export_response: headers, streaming, injection guard and read-back for every format."""

import inspect
import io
import json
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
from flask import Blueprint, request
from pypdf import PdfReader

from rgpd_app.errors import ValidationFailed
from rgpd_app.exports import FORMATS, Column, export_response
from rgpd_app.exports.pdf import write_pdf_table

COLUMNS = [
    Column("name", "Commune"),
    Column("signed_on", "Signé le"),
    Column("created_at", "Créé le"),
    Column("is_active", "Actif"),
]
DANGEROUS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "\x01x"]
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
    "pdf": "application/pdf",
}


def _rows(count=3, pulled=None):
    for n in range(count):
        if pulled is not None:
            pulled.append(n)
        yield {
            "name": f"Château-Thierry {n}",
            "signed_on": date(2026, 3, 2),
            "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            "is_active": n % 2 == 0,
        }


def _export(app, fmt, rows=None, **kwargs):
    with app.test_request_context():
        response = export_response(
            fmt,
            rows=_rows() if rows is None else rows,
            columns=kwargs.pop("columns", COLUMNS),
            filename=kwargs.pop("filename", "registre-été"),
            title=kwargs.pop("title", "Registre des activités"),
            **kwargs,
        )
        # spooled XLSX/ODS answers are direct passthrough: iterate them as the server would
        data = b"".join(response.response) if response.direct_passthrough else response.get_data()
        response.close()  # what the WSGI server does: closes the spooled XLSX/ODS file
        return response, data


@pytest.mark.parametrize("fmt", FORMATS)
def test_headers_name_the_file_and_forbid_caching(app, fmt):
    response, data = _export(app, fmt)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == MIMETYPES[fmt]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="registre-ete.{fmt}"; '
        f"filename*=UTF-8''registre-%C3%A9t%C3%A9.{fmt}"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert data


def test_a_filename_cannot_smuggle_quotes_paths_or_header_lines(app):
    response, _ = _export(app, "csv", filename='../a"b\r\nSet-Cookie: x')
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="..a_bSet-Cookie_ x.csv"; filename*=')
    assert "\r" not in disposition and "\n" not in disposition


def test_an_unknown_format_is_refused_in_french(app):
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        export_response("docx", rows=[], columns=COLUMNS, filename="x", title="x")
    assert refused.value.fields == {
        "format": ["Format inconnu : docx (csv, xlsx, ods, json, pdf)."]
    }


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_are_streamed_and_read_the_rows_lazily(app, fmt):
    pulled, counted = [], []
    with app.test_request_context():
        response = export_response(
            fmt,
            rows=_rows(5_000, pulled),
            columns=COLUMNS,
            filename="x",
            title="x",
            on_done=counted.append,
        )
        assert response.is_streamed
        assert inspect.isgenerator(response.response)
        assert pulled == [] and counted == []  # nothing read before the server asks
        chunks = list(response.response)
    assert len(pulled) == 5_000 and counted == [5_000]
    assert len(chunks) > 2
    body = b"".join(chunks)
    if fmt == "json":
        assert len(json.loads(body)) == 5_000
    else:
        assert body.decode("utf-8-sig").count("\r\n") == 5_001


def test_on_done_runs_before_the_last_chunk_so_a_failed_journal_truncates_the_file(app):
    def journal_fails(count):
        raise RuntimeError("journal unavailable")

    with app.test_request_context():
        response = export_response(
            "json",
            rows=_rows(2_000),
            columns=COLUMNS,
            filename="x",
            title="x",
            on_done=journal_fails,
        )
        received = []
        with pytest.raises(RuntimeError):
            for chunk in response.response:
                received.append(chunk)
    assert received and received[0].startswith(b"[")
    with pytest.raises(json.JSONDecodeError):
        json.loads(b"".join(received))


def test_csv_keeps_accents_in_utf8_with_a_bom(app):
    _, data = _export(app, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Commune;Signé le;Créé le;Actif"
    assert lines[1] == "Château-Thierry 0;2026-03-02;2026-03-02T10:00:00+01:00;oui"


def test_json_keeps_accents_and_native_values(app):
    _, data = _export(app, "json")
    assert json.loads(data)[1] == {
        "name": "Château-Thierry 1",
        "signed_on": "2026-03-02",
        "created_at": "2026-03-02T10:00:00+01:00",
        "is_active": False,
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_every_dangerous_prefix_is_neutralised_in_spreadsheet_formats(app, fmt):
    rows = [{"v": value} for value in DANGEROUS]
    _, data = _export(app, fmt, rows=rows, columns=[Column("v", "Valeur")])
    if fmt == "csv":
        import csv

        read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
        values = [line[0] for line in read[1:]]
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        cells = [row[0] for row in sheet.iter_rows(min_row=2)]
        assert all(cell.data_type == "s" for cell in cells)
        values = [cell.value for cell in cells]
    else:
        from odf import teletype
        from odf.opendocument import load
        from odf.table import TableCell, TableRow

        table_rows = load(io.BytesIO(data)).spreadsheet.getElementsByType(TableRow)[1:]
        cells = [row.getElementsByType(TableCell)[0] for row in table_rows]
        assert all(cell.getAttribute("valuetype") == "string" for cell in cells)
        values = ["\n".join(teletype.extractText(p) for p in cell.childNodes) for cell in cells]
    assert len(values) == len(DANGEROUS)
    assert all(value.startswith("'") for value in values), values


def test_xlsx_and_ods_read_back_and_report_their_row_count(app):
    counts = []
    _, data = _export(app, "xlsx", on_done=counts.append)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "Château-Thierry 0"
    assert sheet["C2"].value == datetime(2026, 3, 2, 10, 0)
    _, data = _export(app, "ods", on_done=counts.append)
    content = zipfile.ZipFile(io.BytesIO(data)).read("content.xml").decode()
    assert "Château-Thierry 2" in content and 'office:date-value="2026-03-02T10:00:00"' in content
    assert counts == [3, 3]


def test_pdf_starts_with_the_magic_and_shows_the_title(app):
    counts = []
    title = "Registre des activités — Sainte-Foy"
    _, data = _export(app, "pdf", title=title, on_done=counts.append)
    assert data.startswith(b"%PDF")
    assert counts == [3]
    seen = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert title in seen
    assert "Château-Thierry 2" in seen and "02/03/2026 10:00" in seen
    assert "Généré le 02/03/2026 10:00 (heure de Paris)" in seen  # the test clock, Paris time
    assert "Page 1 / 1" in seen


def test_a_long_pdf_is_laid_out_in_chunks_and_reads_as_one_document(app):
    progress, out = [], io.BytesIO()
    with app.test_request_context():
        count = write_pdf_table(
            _rows(7), COLUMNS, out, template="exports/table.html", total=7,
            context={"title": "Registre long", "generated_at": datetime(2026, 3, 2, 9, tzinfo=UTC)},
            progress=progress.append, chunk_rows=3,
        )  # fmt: skip
    assert count == 7 and progress == [3, 6, 7]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages]
    text = "\n".join(pages)
    assert [f"Château-Thierry {n}" in text for n in range(7)] == [True] * 7
    assert text.count("Généré le 02/03/2026 10:00 (heure de Paris) — 7 ligne(s)") == 1
    for index, page in enumerate(pages, start=1):  # one count across the chunks, none per chunk
        assert page.count(" / ") == 1 and f"Page {index} / {len(pages)}" in page
    assert len(pages) == 3  # each chunk starts a page
    assert all("Registre long" in page and "Généré le 02/03/2026" in page for page in pages)


def test_a_route_answers_a_download_and_a_french_400_for_an_unknown_format(app, client):
    bp = Blueprint("export_probe", __name__)

    @bp.get("/export-probe")
    def probe():
        return export_response(
            request.args.get("format"), rows=_rows(), columns=COLUMNS, filename="f", title="t"
        )

    app.register_blueprint(bp)
    ok = client.get("/export-probe?format=csv")
    assert ok.status_code == 200 and ok.data.decode("utf-8-sig").startswith("Commune;")
    refused = client.get("/export-probe?format=docx")
    assert refused.status_code == 400


def test_a_streamed_export_reads_the_database_and_journals_the_count_at_the_end(
    app, client, clock, make_org
):
    from sqlalchemy import select

    from rgpd_app.extensions import db
    from rgpd_app.foundation.journal import JournalEntry, record
    from rgpd_app.organisations.models import Organisation

    for n in range(5):
        make_org(f"Commune n° {n}")
    bp = Blueprint("export_db_probe", __name__)

    @bp.get("/export-db-probe")
    def probe():
        stmt = select(Organisation).order_by(Organisation.id).execution_options(yield_per=2)

        def journal(count):
            record("organisations.export", now=clock(), details={"rows": count})
            db.session.commit()

        return export_response(
            "csv",
            rows=lambda: db.session.scalars(stmt),
            columns=[Column("name", "Nom"), Column("siren", "SIREN")],
            filename="communes",
            title="Communes",
            on_done=journal,
        )

    app.register_blueprint(bp)
    response = client.get("/export-db-probe")
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Nom;SIREN" and "Commune n° 4" in lines[-1]
    entry = db.session.scalars(
        select(JournalEntry).where(JournalEntry.action == "organisations.export")
    ).one()
    assert json.loads(entry.details) == {"rows": len(lines) - 1}


def test_a_pdf_too_long_for_a_request_is_refused_without_reading_every_row(app):
    pulled = []
    app.config["EXPORT_PDF_MAX_ROWS"] = 10
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        export_response("pdf", rows=_rows(1_000, pulled), columns=COLUMNS, filename="x", title="x")
    assert refused.value.fields == {
        "format": [
            "Liste trop longue pour un PDF (plus de 10 lignes) : "
            "filtrez-la ou choisissez CSV, XLSX ou ODS."
        ]
    }
    assert len(pulled) == 11
