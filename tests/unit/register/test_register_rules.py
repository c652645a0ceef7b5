from datetime import date

from rgpd_app.register import changes, rules

PROHIBITED = rules.parse_prohibited(
    "origine ethnique|ethnie;opinions religieuses|religion;"
    "appartenance syndicale|syndicat|syndicale;santé|médical|maladie;orientation sexuelle"
)
EEA = frozenset({"FR", "DE", "NO"})
ADEQUACY = {"CH": "", "JP": "", "US": "DPF"}
COUNTRIES = {
    "FR": "France",
    "DE": "Allemagne",
    "NO": "Norvège",
    "CH": "Suisse",
    "JP": "Japon",
    "US": "États-Unis",
    "IN": "Inde",
    "MA": "Maroc",
}
TODAY = date(2026, 3, 2)


def complete_entry(**overrides) -> dict:
    entry = {
        "name": "Instruction des autorisations d'urbanisme",
        "purposes": [{"label": "Instruire les permis de construire", "instruction_id": None}],
        "legal_bases": ["public_task"],
        "data_subjects": ["Pétitionnaires"],
        "data_categories": [
            {
                "label": "Identité du pétitionnaire",
                "purpose": "Instruire les permis de construire",
                "retention_value": 10,
                "retention_unit": "years",
                "retention_criterion": "",
                "is_special": False,
                "is_criminal": False,
            }
        ],
        "recipients": ["Service urbanisme"],
        "estimated_persons": 1200,
        "operations": ["hosting", "backup"],
        "measures": [{"family": "backup", "description": "Sauvegarde quotidienne"}],
        "transfers": [],
    }
    entry.update(overrides)
    return entry


def errors_of(entry):
    return rules.input_errors(
        entry, today=TODAY, prohibited=PROHIBITED, eea=EEA, adequacy=ADEQUACY, countries=COUNTRIES
    )


def transfer(**overrides):
    return {
        "country": "IN",
        "recipient": "Infogérant",
        "safeguard": "sccs",
        "safeguard_documentation": "",
        "consent_by": "",
        "consent_on": None,
        "consent_reference": "",
    } | overrides


def test_a_complete_entry_is_100_percent_and_has_no_missing_item():
    result = rules.completeness(complete_entry())
    assert result.percent == 100 and result.missing == [] and result.is_complete


def test_an_empty_entry_lists_every_missing_item():
    result = rules.completeness({"name": "X"})
    assert result.percent < 20
    assert "Au moins une finalité" in result.missing
    assert "Base légale" in result.missing
    assert "Mesures de sécurité" in result.missing


def test_a_category_without_retention_is_named_in_the_missing_list():
    entry = complete_entry()
    entry["data_categories"][0].update(retention_value=None, retention_unit=None)
    missing = rules.completeness(entry).missing
    assert any("conservation" in m and "Identité du pétitionnaire" in m for m in missing)


def test_a_stated_criterion_is_a_defined_retention():
    category = {"label": "x", "retention_criterion": "Durée de l'instruction puis archivage"}
    assert rules.has_retention(category)
    assert rules.retention_text({"retention_value": 18, "retention_unit": "months"}) == "18 mois"


def test_a_category_justified_by_no_existing_purpose_is_unjustified():
    entry = complete_entry()
    entry["data_categories"][0]["purpose"] = ""
    assert rules.unjustified_categories(entry) == ["Identité du pétitionnaire"]
    assert any("Finalité justifiant" in m for m in rules.completeness(entry).missing)


def test_purpose_comparison_ignores_case_and_accents():
    entry = complete_entry()
    entry["data_categories"][0]["purpose"] = "INSTRUIRE LES PERMIS DE CONSTRUIRE"
    assert rules.unjustified_categories(entry) == []


def test_a_category_naming_a_purpose_that_does_not_exist_is_refused():
    entry = complete_entry()
    entry["data_categories"][0]["purpose"] = "Faire de la prospection"
    assert "data_categories.0.purpose" in errors_of(entry)


def test_prohibited_category_is_refused_naming_the_category():
    entry = complete_entry()
    entry["data_categories"].append(
        {"label": "Données de santé des agents", "purpose": "", "is_special": True}
    )
    errors = errors_of(entry)
    assert "« santé »" in errors["data_categories.1.label"][0]


def test_prohibited_terms_match_whole_words_only():
    assert rules.prohibited_match("Coordonnées du syndic de copropriété", PROHIBITED) is None
    assert rules.prohibited_match("Appartenance SYNDICALE", PROHIBITED) == "appartenance syndicale"
    assert rules.prohibited_match("Religion déclarée", PROHIBITED) == "opinions religieuses"
    assert rules.prohibited_match("Sante", PROHIBITED) == "santé"


def test_the_prohibited_list_is_configurable():
    custom = rules.parse_prohibited(["biométrie|empreinte digitale"])
    assert rules.prohibited_match("Empreinte digitale", custom) == "biométrie"
    assert rules.prohibited_match("Données de santé", custom) is None


def test_a_transfer_without_prior_written_consent_is_pending_never_compliant():
    assert rules.transfer_status(transfer(), ADEQUACY) == rules.PENDING_CONSENT
    partial = transfer(consent_by="Le maire", consent_on=date(2026, 1, 5))
    assert rules.transfer_status(partial, ADEQUACY) == rules.PENDING_CONSENT
    entry = complete_entry(transfers=[transfer()])
    assert any("consentement préalable en attente" in p for p in rules.problems(entry, ADEQUACY))
    assert rules.validation_refusals(entry, ADEQUACY)


def test_a_consented_transfer_with_a_safeguard_is_compliant():
    done = transfer(
        consent_by="Le maire", consent_on=date(2026, 1, 5), consent_reference="Délib 12"
    )
    assert rules.transfer_status(done, ADEQUACY) == rules.COMPLIANT
    assert rules.problems(complete_entry(transfers=[done]), ADEQUACY) == []


def test_a_transfer_needs_a_safeguard():
    errors = errors_of(complete_entry(transfers=[transfer(safeguard=None)]))
    assert errors["transfers.0.safeguard"] == ["Une garantie appropriée est obligatoire."]


def test_adequacy_is_refused_for_a_country_without_a_decision():
    errors = errors_of(complete_entry(transfers=[transfer(safeguard="adequacy")]))
    assert "décision d'adéquation" in errors["transfers.0.safeguard"][0]
    assert "transfers.0.safeguard" not in errors_of(
        complete_entry(transfers=[transfer(country="JP", safeguard="adequacy")])
    )


def test_a_withdrawn_adequacy_decision_makes_the_transfer_a_problem():
    done = transfer(
        country="JP",
        safeguard="adequacy",
        consent_by="M",
        consent_on="2026-01-05",
        consent_reference="R",
    )
    assert rules.transfer_status(done, {}) == rules.NO_ADEQUACY


def test_an_article_49_derogation_must_be_documented():
    errors = errors_of(complete_entry(transfers=[transfer(safeguard="art49")]))
    assert "transfers.0.safeguard_documentation" in errors


def test_a_country_inside_the_eea_is_not_a_transfer_and_an_unknown_one_is_refused():
    errors = errors_of(complete_entry(transfers=[transfer(country="NO"), transfer(country="ZZ")]))
    assert "UE/EEE" in errors["transfers.0.country"][0]
    assert "Pays inconnu" in errors["transfers.1.country"][0]


def test_a_partial_consent_names_the_missing_parts_and_a_future_date_is_refused():
    errors = errors_of(
        complete_entry(transfers=[transfer(consent_by="Le maire", consent_on=date(2026, 3, 3))])
    )
    assert "transfers.0.consent_reference" in errors
    assert "futur" in errors["transfers.0.consent_on"][0]


def test_unknown_choices_and_duplicate_purposes_are_refused():
    entry = complete_entry(
        operations=["hosting", "mining"],
        legal_bases=["whim"],
        measures=[{"family": "magic", "description": ""}],
        purposes=[{"label": "A"}, {"label": "a"}],
    )
    entry["data_categories"] = []
    errors = errors_of(entry)
    assert set(errors) == {"operations", "legal_bases", "measures.0.family", "purposes.1.label"}


def test_a_retention_value_needs_its_unit():
    entry = complete_entry()
    entry["data_categories"][0]["retention_unit"] = None
    assert "data_categories.0.retention_value" in errors_of(entry)


def test_newly_flagged_lists_only_categories_not_flagged_before():
    before = [{"label": "Condamnations", "is_criminal": True}, {"label": "Empreintes"}]
    after = [
        {"label": "condamnations", "is_criminal": True},
        {"label": "Empreintes", "is_special": True},
        {"label": "Adresse"},
    ]
    assert rules.newly_flagged(before, after) == ["Empreintes"]


def test_status_transitions():
    assert rules.is_allowed_transition("draft", "validated")
    assert rules.is_allowed_transition("validated", "archived")
    assert not rules.is_allowed_transition("archived", "draft")
    assert not rules.is_allowed_transition("validated", "validated")


def test_diff_names_each_changed_field_with_before_and_after():
    before = complete_entry(status="draft")
    after = complete_entry(status="validated", recipients=["Service urbanisme", "Trésor public"])
    diff = {c.field: c for c in changes.diff(before, after)}
    assert set(diff) == {"status", "recipients"}
    assert diff["status"].before == "Brouillon" and diff["status"].after == "Validé"
    assert diff["recipients"].after == "Service urbanisme | Trésor public"


def test_diff_from_nothing_lists_every_filled_field():
    fields = {c.field for c in changes.diff(None, complete_entry())}
    assert {"name", "purposes", "data_categories", "operations"} <= fields
