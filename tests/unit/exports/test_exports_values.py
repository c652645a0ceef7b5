"""Cell values shared by every export format: reading columns, neutralising, formatting."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

import pytest

from rgpd_app.exports import Column, neutralise
from rgpd_app.exports.values import (
    csv_text,
    display_text,
    json_value,
    read,
    sheet_name,
    spreadsheet_value,
    text,
)

DANGEROUS = ["=SUM(A1:A2)", "+33 1 23", "-2+3", "@cmd", "\tx", "\rx", "\x01x", "\x1bx", "\nx"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_looking_string_is_prefixed_with_a_quote(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Mairie", "", " =espace devant", "'déjà", "5-3", "é=1"])
def test_a_harmless_string_is_left_as_it_is(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [None, -3, 2.5, True, date(2026, 1, 1)])
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) == value


@dataclass
class Org:
    name: str


@dataclass
class Activity:
    title: str
    organisation: Org | None


def test_a_dotted_key_walks_attributes_and_mappings_and_stops_at_none():
    assert read(Activity("Paie", Org("Metz")), Column("organisation.name", "Commune")) == "Metz"
    assert read(Activity("Paie", None), Column("organisation.name", "Commune")) is None
    assert read({"org": {"name": "Nancy"}}, Column("org.name", "Commune")) == "Nancy"


def test_a_getter_overrides_the_key():
    column = Column("title", "Titre", get=lambda row: row.title.upper())
    assert read(Activity("Paie", None), column) == "PAIE"


class Status(Enum):
    OPEN = "ouvert"


def test_text_uses_iso_days_paris_instants_oui_non_and_piped_lists():
    assert text(date(2026, 3, 2)) == "2026-03-02"
    # 2026-03-29 is the spring DST change in Paris: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST
    assert text(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == "2026-03-29T01:30:00+01:00"
    assert text(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == "2026-03-29T03:30:00+02:00"
    assert text(datetime(2026, 3, 2, 9, 0)) == "2026-03-02T10:00:00+01:00"  # naive = UTC
    assert (text(True), text(False), text(None)) == ("oui", "non", "")
    assert text(["a", "b", date(2026, 1, 5)]) == "a | b | 2026-01-05"
    assert text(Status.OPEN) == "ouvert"


def test_csv_text_neutralises_strings_but_not_numbers_and_writes_a_decimal_comma():
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text(["=1", "b"]) == "'=1 | b"
    assert csv_text(-3) == "-3"
    assert csv_text(Decimal("-2.50")) == "-2,50"
    assert csv_text(1.5) == "1,5"


def test_display_text_is_french_for_a_printed_list():
    assert display_text(date(2026, 3, 2)) == "02/03/2026"
    assert display_text(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "01/07/2026 14:00"
    assert display_text(False) == "non"


def test_json_values_are_native():
    assert json_value(Decimal("3")) == 3
    assert json_value(Decimal("2.5")) == 2.5
    assert json_value(datetime(2026, 1, 1, 12, tzinfo=UTC)) == "2026-01-01T13:00:00+01:00"
    assert json_value(("a", None, True)) == ["a", None, True]
    assert json_value({"k": date(2026, 1, 1)}) == {"k": "2026-01-01"}
    assert json_value("=1+1") == "=1+1"  # no formulas in JSON: left as sent


def test_spreadsheet_values_are_typed_and_texts_neutralised_and_xml_safe():
    assert spreadsheet_value(datetime(2026, 7, 1, 12, tzinfo=UTC)) == datetime(2026, 7, 1, 14)
    assert spreadsheet_value(date(2026, 7, 1)) == date(2026, 7, 1)
    assert spreadsheet_value(-4) == -4
    assert spreadsheet_value(True) == "oui"
    assert spreadsheet_value("@x") == "'@x"
    assert spreadsheet_value("\x01x") == "'\ufffdx"
    assert spreadsheet_value("") is None
    assert spreadsheet_value([]) is None


def test_sheet_names_drop_forbidden_characters_and_keep_31_characters():
    assert sheet_name("Registre [2026]: a/b?") == "Registre  2026   a b"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("///") == "Export"
