"""Exports shared by every domain: CSV, XLSX, ODS, JSON and PDF answers of a list of rows.

    from rgpd_app.exports import Column, export_response

    columns = [Column("name", "Nom"), Column("organisation.name", "Commune")]
    return export_response(fmt, rows=query_rows, columns=columns, filename="registre",
                           title="Registre des traitements", on_done=journal_the_export)

The writers (`writers.py`, `ods.py`) know nothing of Flask; `response.py` is the web shell;
long exports are built by the worker (`jobs/`). Names are imported on first use, so that a PDF
renderer process (`pdf_layout.py`) loads WeasyPrint and nothing of the web application.
"""

from importlib import import_module

_NAMES = {
    "FORMATS": "rgpd_app.exports.response",
    "MIMETYPES": "rgpd_app.exports.response",
    "export_response": "rgpd_app.exports.response",
    "Column": "rgpd_app.exports.values",
    "neutralise": "rgpd_app.exports.values",
    "render_pdf": "rgpd_app.exports.pdf",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_NAMES[name]), name)
    globals()[name] = value
    return value
