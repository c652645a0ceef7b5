"""PDF exports: an HTML template rendered with Jinja, then laid out by WeasyPrint."""

from collections.abc import Iterable, Sequence
from typing import Any

from flask import render_template

from rgpd_app.exports.values import Column, display_text, read

TABLE_TEMPLATE = "exports/table.html"
WIDTH_SAMPLE = 200  # rows looked at to share the page width between the columns
LINE_CHARACTERS = 175  # digits of the table's font that fit across an A4 landscape page
CELL_PADDING = 1.5  # a cell's padding and border, in the same digits


def render_pdf(template: str, **context) -> bytes:
    """Render `template` with `context` and return the PDF bytes (needs an app context)."""
    import weasyprint  # imported on use: it is slow to load and only PDF exports need it

    html = render_template(template, **context)
    return weasyprint.HTML(string=html).write_pdf()


def table_context(rows: Iterable[Any], columns: Sequence[Column]) -> dict:
    """The rows (kept for custom templates) and their display texts for the table template."""
    items = list(rows)
    table = [[display_text(read(row, column)) for column in columns] for row in items]
    return {
        "columns": columns,
        "rows": items,
        "table": table,
        "row_count": len(items),
        "widths": column_widths([c.label for c in columns], table[:WIDTH_SAMPLE]),
    }


def column_widths(labels: Sequence[str], sample: Sequence[Sequence[str]]) -> list[float]:
    """Percent of the page width for each column, from its header and typical texts.

    The table is laid out with `table-layout: fixed` (WeasyPrint's automatic layout measures
    every cell first and is about three times slower), so the widths are decided here: each
    column first gets room for its longest word (a date, an amount: up to 20 characters), then
    what is left of the line is shared by how much longer its texts typically are.
    """
    if not labels:
        return []
    minimums, wishes = [], []
    for index, label in enumerate(labels):
        texts = [cells[index] for cells in sample]
        typical = sum(map(len, texts)) / len(texts) if texts else 0.0
        word = max((len(w) for text in [label, *texts] for w in text.split()), default=0)
        minimums.append(max(3, min(word, 20)) + CELL_PADDING)
        wishes.append(max(min(typical, 60.0) - min(word, 20), 0.0))
    spare = max(LINE_CHARACTERS - sum(minimums), 0.0)
    wanted = sum(wishes)
    shares = [
        minimum + (spare * wish / wanted if wanted else spare / len(minimums))
        for minimum, wish in zip(minimums, wishes, strict=True)
    ]
    total = sum(shares)
    return [round(100 * share / total, 2) for share in shares]
