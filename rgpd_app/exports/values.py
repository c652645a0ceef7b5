"""Columns and cell values shared by every export format (no Flask, no SQLAlchemy).

A row is any object or mapping; a `Column` says where to read a value and what to call it.
Each format then turns the raw value into its own representation: text for CSV and PDF,
native JSON values, typed spreadsheet cells.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
LIST_SEPARATOR = " | "

# OWASP "CSV injection": a cell starting with one of these may be run as a formula.
_FORMULA_TRIGGERS = ("=", "+", "-", "@")
# XML 1.0 (XLSX, ODS) forbids these characters outright, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Column:
    key: str  # attribute / dict key, or a dotted path "organisation.name"
    label: str  # French header
    get: Callable[[Any], Any] | None = None  # optional getter overriding key


def read(row: Any, column: Column) -> Any:
    """The raw value of `column` in `row`: the getter, else the dotted path (None stops it)."""
    if column.get is not None:
        return column.get(row)
    value = row
    for part in column.key.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part)
    return value


def neutralise(value: Any) -> Any:
    """Prefix a formula-looking string with a quote (OWASP CSV injection); others unchanged."""
    if (
        isinstance(value, str)
        and value
        and (value.startswith(_FORMULA_TRIGGERS) or _is_control(value[0]))
    ):
        return "'" + value
    return value


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def paris_time(value: datetime) -> datetime:
    """An instant in Europe/Paris; a naive one is taken as UTC (the database stores UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def is_sequence(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping)


def text(value: Any, *, decimal_comma: bool = False) -> str:
    """A value as export text: ISO dates, Paris ISO 8601 instants, "oui"/"non", " | " lists."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return paris_time(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal) and decimal_comma:
        return str(value).replace(".", ",")
    if is_sequence(value):
        return LIST_SEPARATOR.join(text(item, decimal_comma=decimal_comma) for item in value)
    return str(value)


def csv_text(value: Any) -> str:
    """CSV cell text for French Excel/LibreOffice (decimal comma), neutralised unless a number."""
    if type(value) is str:  # the common case, first
        return neutralise(value)
    rendered = text(value, decimal_comma=True)
    return rendered if is_number(_plain(value)) else neutralise(rendered)


def display_text(value: Any) -> str:
    """A value for people reading a printed list (PDF): French day and Paris time."""
    value = _plain(value)
    if isinstance(value, datetime):
        return paris_time(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if is_sequence(value):
        return LIST_SEPARATOR.join(display_text(item) for item in value)
    return text(value, decimal_comma=True)


def json_value(value: Any) -> Any:
    """A value as JSON: native numbers, booleans and null, ISO strings for days and instants."""
    value = _plain(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return text(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if is_sequence(value):
        return [json_value(item) for item in value]
    return str(value)


def spreadsheet_value(value: Any) -> Any:
    """A typed spreadsheet cell value: number, day, Paris wall-clock instant or neutralised text.

    Spreadsheets have no time zones, so instants are shown as naive Paris local time.
    """
    if type(value) is str:  # the common case, first
        return xml_safe(neutralise(value)) if value else None
    value = _plain(value)
    if value is None or is_number(value):
        return value
    if isinstance(value, datetime):
        return paris_time(value).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    rendered = text(value)
    return xml_safe(neutralise(rendered)) if rendered else None


def xml_safe(value: str) -> str:
    """Replace the characters XML 1.0 cannot carry (XLSX and ODS are XML) by U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", value)


def sheet_name(title: str) -> str:
    """A sheet name both Excel and LibreOffice accept: no []:*?/\\ and at most 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\']", " ", xml_safe(title)).strip()
    return cleaned[:31] or "Export"
