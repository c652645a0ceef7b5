"""Register rules (GDPR art. 30, annex 2.1 and 4.2): completeness, proportionality,
prohibited categories, transfers, history diff. Pure: entries are plain dicts (snapshots)."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rgpd_app.messages import N_
from rgpd_app.register.choices import (
    ADEQUACY,
    DEROGATION,
    LEGAL_BASES,
    MEASURE_FAMILIES,
    OPERATIONS,
    RETENTION_UNITS,
    SAFEGUARDS,
)

FIELD_LABELS = {
    "name": "Nom du traitement",
    "description": "Description",
    "status": "Statut",
    "operations": "Catégories de traitements du sous-traitant",
    "operations_detail": "Précisions sur les traitements du sous-traitant",
    "subprocessors": "Sous-traitants ultérieurs",
    "measures": "Mesures de sécurité",
    "security_notes": "Mesures de sécurité (texte libre)",
    "purposes": "Finalités",
    "legal_bases": "Base légale",
    "data_subjects": "Catégories de personnes concernées",
    "data_categories": "Catégories de données",
    "recipients": "Destinataires",
    "estimated_persons": "Nombre estimé de personnes concernées",
    "transfers": "Transferts hors UE/EEE",
}

PENDING_CONSENT = "pending_consent"
NO_ADEQUACY = "no_adequacy"
COMPLIANT = "compliant"
TRANSFER_STATUSES = {
    PENDING_CONSENT: "Consentement préalable en attente",
    NO_ADEQUACY: "Pays sans décision d'adéquation",
    COMPLIANT: "Conforme",
}


def normalize(text: str) -> str:
    """Lower case without accents, single spaces: how labels are compared."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def parse_prohibited(setting) -> list[tuple[str, tuple[str, ...]]]:
    """The policy's prohibited categories (annex 2.1) from "name|synonym;name2|…" or a list."""
    entries = setting.split(";") if isinstance(setting, str) else list(setting)
    parsed = []
    for entry in entries:
        terms = [t.strip() for t in entry.split("|") if t.strip()]
        if terms:
            parsed.append((terms[0], tuple(normalize(t) for t in terms)))
    return parsed


def prohibited_match(label: str, prohibited) -> str | None:
    """The prohibited category a data category's label reveals (whole words), or None."""
    text = normalize(label)
    for name, terms in prohibited:
        for term in terms:
            if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text):
                return name
    return None


def retention_text(category: dict, units: dict[str, str] = RETENTION_UNITS) -> str:
    """ "5 ans", "18 mois" (`units`: the units' names, a page's language) or the stated
    criterion; "" when no retention is defined."""
    value, unit = category.get("retention_value"), category.get("retention_unit")
    if value and unit in units:
        return f"{value} {units[unit]}"
    return (category.get("retention_criterion") or "").strip()


def has_retention(category: dict) -> bool:
    return bool(retention_text(category))


def _purpose_labels(entry: dict) -> set[str]:
    return {normalize(p["label"]) for p in entry.get("purposes", []) if p.get("label")}


def unjustified_categories(entry: dict) -> list[str]:
    """Data categories no existing purpose justifies (proportionality, art. 5.1.c)."""
    purposes = _purpose_labels(entry)
    return [
        c["label"]
        for c in entry.get("data_categories", [])
        if normalize(c.get("purpose") or "") not in purposes
    ]


def categories_without_retention(entry: dict) -> list[str]:
    """Data categories without a defined retention period (art. 5.1.e)."""
    return [c["label"] for c in entry.get("data_categories", []) if not has_retention(c)]


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]

    @property
    def is_complete(self) -> bool:
        return not self.missing


def completeness(entry: dict) -> Completeness:
    """Which items of the art. 30(1)/30(2) record are still missing, and the share filled."""
    categories = entry.get("data_categories", [])
    unjustified = unjustified_categories(entry)
    no_retention = categories_without_retention(entry)
    checks = [
        (bool((entry.get("name") or "").strip()), "Nom du traitement"),
        (bool(entry.get("purposes")), "Au moins une finalité"),
        (bool(entry.get("legal_bases")), "Base légale"),
        (bool(entry.get("data_subjects")), "Catégories de personnes concernées"),
        (bool(categories), "Au moins une catégorie de données"),
        (
            bool(categories) and not unjustified,
            "Finalité justifiant chaque catégorie de données"
            + (f" (manque pour : {', '.join(unjustified)})" if unjustified else ""),
        ),
        (
            bool(categories) and not no_retention,
            "Durée de conservation de chaque catégorie de données"
            + (f" (manque pour : {', '.join(no_retention)})" if no_retention else ""),
        ),
        (bool(entry.get("recipients")), "Destinataires"),
        (entry.get("estimated_persons") is not None, "Nombre estimé de personnes concernées"),
        (bool(entry.get("operations")), "Catégories de traitements du sous-traitant"),
        (
            bool(entry.get("measures")) or bool((entry.get("security_notes") or "").strip()),
            "Mesures de sécurité",
        ),
    ]
    missing = [label for ok, label in checks if not ok]
    return Completeness(round(100 * (len(checks) - len(missing)) / len(checks)), missing)


def has_consent(transfer: dict) -> bool:
    """The controller's prior written consent is recorded: who, when and which document."""
    return all(transfer.get(k) for k in ("consent_by", "consent_on", "consent_reference"))


def transfer_status(transfer: dict, adequacy) -> str:
    """Annex 4.2: without prior written consent a transfer is never compliant."""
    if not has_consent(transfer):
        return PENDING_CONSENT
    if transfer.get("safeguard") == ADEQUACY and transfer.get("country") not in adequacy:
        return NO_ADEQUACY
    return COMPLIANT


def problems(entry: dict, adequacy) -> list[str]:
    """What makes the entry non-compliant, in French, for the detail page and validation."""
    found = []
    for transfer in entry.get("transfers", []):
        status = transfer_status(transfer, adequacy)
        if status != COMPLIANT:
            found.append(
                f"Transfert vers {transfer.get('country_name') or transfer.get('country')} "
                f"({transfer.get('recipient')}) : {TRANSFER_STATUSES[status].lower()}."
            )
    return found


def validation_refusals(entry: dict, adequacy) -> list[str]:
    """Why the entry cannot be validated: every missing item and every problem."""
    return completeness(entry).missing + problems(entry, adequacy)


def _check_choices(values, allowed: dict, field: str, errors: dict) -> None:
    for value in values or []:
        if value not in allowed:
            errors.setdefault(field, []).append(f"Valeur inconnue : « {value} ».")


def _category_errors(entry: dict, prohibited, errors: dict) -> None:
    purposes = _purpose_labels(entry)
    for i, category in enumerate(entry.get("data_categories", [])):
        where = f"data_categories.{i}"
        found = prohibited_match(category.get("label", ""), prohibited)
        if found:
            errors.setdefault(f"{where}.label", []).append(
                N_(
                    "Catégorie interdite par la politique du sous-traitant : « %(found)s » (« "
                    "%(label)s »).",
                    found=found,
                    label=category["label"],
                )
            )
        purpose = normalize(category.get("purpose") or "")
        if purpose and purpose not in purposes:
            errors.setdefault(f"{where}.purpose", []).append(
                N_(
                    "La finalité « %(purpose)s » n'existe pas dans ce traitement.",
                    purpose=category["purpose"],
                )
            )
        value, unit = category.get("retention_value"), category.get("retention_unit")
        if (value is None) != (unit is None):
            errors.setdefault(f"{where}.retention_value", []).append(
                N_("Une durée de conservation a une valeur et une unité (mois ou ans).")
            )


def _transfer_errors(entry: dict, today: date, eea, adequacy, countries, errors: dict) -> None:
    for i, transfer in enumerate(entry.get("transfers", [])):
        where, country = f"transfers.{i}", transfer.get("country")
        if country not in countries:
            errors.setdefault(f"{where}.country", []).append(f"Pays inconnu : « {country} ».")
        elif country in eea:
            errors.setdefault(f"{where}.country", []).append(
                N_("Ce pays est dans l'UE/EEE : ce n'est pas un transfert hors UE/EEE.")
            )
        safeguard = transfer.get("safeguard")
        if safeguard == ADEQUACY and country in countries and country not in adequacy:
            errors.setdefault(f"{where}.safeguard", []).append(
                N_("Ce pays ne bénéficie pas d'une décision d'adéquation de la Commission.")
            )
        if safeguard == DEROGATION and not (transfer.get("safeguard_documentation") or "").strip():
            errors.setdefault(f"{where}.safeguard_documentation", []).append(
                N_("Une dérogation de l'article 49 doit être documentée.")
            )
        given = [k for k in ("consent_by", "consent_on", "consent_reference") if transfer.get(k)]
        if given and len(given) < 3:
            for key in ("consent_by", "consent_on", "consent_reference"):
                if not transfer.get(key):
                    errors.setdefault(f"{where}.{key}", []).append(
                        N_("Le consentement écrit préalable indique qui, quand et le document.")
                    )
        consent_on = transfer.get("consent_on")
        if isinstance(consent_on, date) and consent_on > today:
            errors.setdefault(f"{where}.consent_on", []).append(
                N_("La date du consentement ne peut pas être dans le futur.")
            )


def input_errors(entry: dict, *, today: date, prohibited, eea, adequacy, countries) -> dict:
    """Every inconsistency that refuses a save, by field path (nothing is written)."""
    errors: dict[str, list[str]] = {}
    _check_choices(entry.get("operations"), OPERATIONS, "operations", errors)
    _check_choices(entry.get("legal_bases"), LEGAL_BASES, "legal_bases", errors)
    for i, measure in enumerate(entry.get("measures", [])):
        if measure.get("family") not in MEASURE_FAMILIES:
            errors.setdefault(f"measures.{i}.family", []).append(N_("Famille de mesures inconnue."))
    seen = set()
    for i, purpose in enumerate(entry.get("purposes", [])):
        key = normalize(purpose.get("label", ""))
        if key in seen:
            errors.setdefault(f"purposes.{i}.label", []).append(N_("Finalité en double."))
        seen.add(key)
    _category_errors(entry, prohibited, errors)
    _transfer_errors(entry, today, eea, adequacy, countries, errors)
    for i, transfer in enumerate(entry.get("transfers", [])):
        if transfer.get("safeguard") not in SAFEGUARDS:
            errors.setdefault(f"transfers.{i}.safeguard", []).append(
                N_("Une garantie appropriée est obligatoire.")
            )
    return errors


def newly_flagged(before: list[dict], after: list[dict]) -> list[str]:
    """Categories flagged art. 9 or 10 now that were not (same label) before (annex 2.1)."""
    flagged_before = {
        (normalize(c["label"]), bool(c.get("is_special")), bool(c.get("is_criminal")))
        for c in before
        if c.get("is_special") or c.get("is_criminal")
    }
    return [
        c["label"]
        for c in after
        if (c.get("is_special") or c.get("is_criminal"))
        and (normalize(c["label"]), bool(c.get("is_special")), bool(c.get("is_criminal")))
        not in flagged_before
    ]


def is_allowed_transition(current: str, target: str) -> bool:
    """Draft → validated → archived; a draft may also be archived directly."""
    return (current, target) in {
        ("draft", "validated"),
        ("draft", "archived"),
        ("validated", "archived"),
    }
