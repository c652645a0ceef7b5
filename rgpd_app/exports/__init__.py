"""Exports shared by every domain: CSV, XLSX, ODS, JSON and PDF answers of a list of rows.

    from rgpd_app.exports import Column, export_response

    columns = [Column("name", "Nom"), Column("organisation.name", "Commune")]
    return export_response(fmt, rows=query_rows, columns=columns, filename="registre",
                           title="Registre des traitements", on_done=journal_the_export)

The writers (`writers.py`, `ods.py`) know nothing of Flask; `response.py` is the web shell.
"""

from rgpd_app.exports.pdf import render_pdf
from rgpd_app.exports.response import FORMATS, MIMETYPES, export_response
from rgpd_app.exports.values import Column, neutralise

__all__ = ["FORMATS", "MIMETYPES", "Column", "export_response", "neutralise", "render_pdf"]
