"""Reading an imported row back into a payload: literal cells in, payload and errors out."""

from datetime import date

from rgpd_app.register.files.row_parsing import cell_text, parse_row, split

COUNTRIES = {"ma": "MA", "maroc": "MA", "us": "US", "etats-unis": "US"}


def parse(**cells):
    return parse_row({"name": "Cantine"} | cells, countries=COUNTRIES, subprocessors={"aws": 3})


def test_the_quote_an_export_put_before_a_formula_is_taken_off():
    assert cell_text("'=SOMME(A1)") == "=SOMME(A1)"
    assert cell_text("'-12") == "-12"
    assert cell_text("'@x") == "@x"
    assert cell_text("'apostrophe") == "'apostrophe"
    assert cell_text("=SUM(A1)") == "=SUM(A1)"  # a formula coming in is kept as its text


def test_cells_of_other_types_become_text():
    assert cell_text(None) == ""
    assert cell_text(1200.0) == "1200"
    assert cell_text(date(2026, 1, 5)) == "2026-01-05"


def test_lists_split_on_bars_with_or_without_spaces():
    assert split("a | b|c ") == ["a", "b", "c"]
    assert split("  ") == []
    assert split(" | x") == ["", "x"]


def test_retention_reads_a_duration_or_keeps_a_criterion():
    payload, errors = parse(
        data_categories="A | B | C", data_category_retentions="5 ans | 18 mois | Durée du mandat"
    )
    assert errors == {}
    cats = payload["data_categories"]
    assert (cats[0]["retention_value"], cats[0]["retention_unit"]) == (5, "years")
    assert (cats[1]["retention_value"], cats[1]["retention_unit"]) == (18, "months")
    assert cats[2]["retention_criterion"] == "Durée du mandat"


def test_sensitivity_labels_and_refusals():
    payload, errors = parse(
        data_categories="A | B | C | D",
        data_category_sensitive="Non | Art. 9 | Art. 10 | Art. 9 et 10",
    )
    flags = [(c["is_special"], c["is_criminal"]) for c in payload["data_categories"]]
    assert flags == [(False, False), (True, False), (False, True), (True, True)]
    _, errors = parse(data_categories="A", data_category_sensitive="oui")
    assert "Art. 9" in errors["data_category_sensitive"][0]


def test_parallel_columns_must_have_one_value_per_item():
    _, errors = parse(data_categories="A | B", data_category_purposes="P1")
    assert errors["data_category_purposes"][0].startswith("1 valeur(s) pour 2")
    payload, errors = parse(data_categories="A | B")  # empty parallel columns are allowed
    assert errors == {} and [c["purpose"] for c in payload["data_categories"]] == ["", ""]


def test_labels_read_back_to_codes():
    payload, errors = parse(
        legal_bases="Mission d'intérêt public (art. 6.1.e) | consent",
        operations="Hébergement | Sauvegarde",
        security_measures="Sauvegarde des données : quotidienne | encryption",
    )
    assert errors == {}
    assert payload["legal_bases"] == ["public_task", "consent"]
    assert payload["operations"] == ["hosting", "backup"]
    assert payload["measures"] == [
        {"family": "backup", "description": "quotidienne"},
        {"family": "encryption", "description": ""},
    ]


def test_transfers_and_consents():
    payload, errors = parse(
        transfer_countries="Maroc | US",
        transfer_recipients="Centre | Éditeur",
        transfer_safeguards="Clauses contractuelles types (art. 46) | sccs",
        transfer_consents="Le maire ; 2026-01-15 ; Délibération 12 | En attente",
        subprocessors="AWS",
    )
    assert errors == {}
    first, second = payload["transfers"]
    assert (first["country"], first["safeguard"], first["consent_on"]) == (
        "MA",
        "sccs",
        "2026-01-15",
    )
    assert second["consent_by"] == "" and second["country"] == "US"
    assert payload["subprocessor_ids"] == [3]


def test_unknown_values_are_named():
    _, errors = parse(
        transfer_countries="Atlantide",
        transfer_safeguards="Confiance",
        transfer_consents="le maire",
        subprocessors="Inconnu",
        estimated_persons="beaucoup",
    )
    assert errors["transfer_countries"] == ["Pays inconnu : « Atlantide »."]
    assert "Confiance" in errors["transfer_safeguards"][0]
    assert "qui ; AAAA-MM-JJ ; document" in errors["transfer_consents"][0]
    assert errors["subprocessors"] == ["Sous-traitant ultérieur inconnu : « Inconnu »."]
    assert "beaucoup" in errors["estimated_persons"][0]


def test_persons_accept_french_thousands_separators():
    payload, errors = parse(estimated_persons="12\u202f500")
    assert errors == {} and payload["estimated_persons"] == 12500
