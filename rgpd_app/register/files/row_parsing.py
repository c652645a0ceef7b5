"""One imported row (the columns of `entries.ROW_COLUMNS`, as exported) read back into the
payload the ProcessingInput schema validates. Pure: cells and lookup tables in, payload and
errors by column out.

Lists are joined with " | " and the child lists are parallel columns aligned by position
(entries.activity_to_row); labels read back to codes, in French or as codes.
"""

import re
from datetime import date, datetime

from rgpd_app.messages import N_
from rgpd_app.register.choices import LEGAL_BASES, MEASURE_FAMILIES, OPERATIONS, SAFEGUARDS
from rgpd_app.register.rules import normalize

IGNORED = ("id", "controller_siren", "controller_name", "status", "version", "updated_at")
CATEGORY_COLUMNS = ("data_category_purposes", "data_category_retentions",
                    "data_category_sensitive")  # fmt: skip
TRANSFER_COLUMNS = ("transfer_recipients", "transfer_safeguards",
                    "transfer_safeguard_documentation", "transfer_consents")  # fmt: skip
PROCESSOR_COLUMNS = ("operations", "operations_detail", "subprocessors", "security_measures",
                     "security_notes") + ("transfer_countries",) + TRANSFER_COLUMNS  # fmt: skip

_TRIGGERS = ("=", "+", "-", "@")
_SPLIT = re.compile(r"\s*\|\s*")
_RETENTION = re.compile(r"^(\d+)\s*(ans?|annees?|years?|mois|months?)$")
_UNITS = {"an": "years", "ans": "years", "annee": "years", "annees": "years", "year": "years",
          "years": "years", "mois": "months", "month": "months", "months": "months"}  # fmt: skip
PENDING = "en attente"


def _reverse(labels: dict[str, str]) -> dict[str, str]:
    """Normalised label, label without its "(art. …)" and code → code."""
    found = {}
    for code, label in labels.items():
        found[normalize(code)] = code
        found[normalize(label)] = code
        found[normalize(re.sub(r"\s*\(.*\)\s*$", "", label))] = code
    return found


LEGAL_BASE_CODES = _reverse(LEGAL_BASES)
OPERATION_CODES = _reverse(OPERATIONS)
SAFEGUARD_CODES = _reverse(SAFEGUARDS)
FAMILY_CODES = _reverse(MEASURE_FAMILIES)


def cell_text(value) -> str:
    """A cell as text; the quote an export put before a formula-looking text is taken off,
    so the text comes back as it was (it is stored as text, never computed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = str(value)
    if len(text) > 1 and text[0] == "'" and (text[1] in _TRIGGERS or _is_control(text[1])):
        return text[1:]
    return text


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char == "\ufffd"


def split(text: str) -> list[str]:
    """ "a | b" → ["a", "b"]; an empty cell is an empty list."""
    return [] if not text.strip() else _SPLIT.split(text.strip())


def _codes(values: list[str], table: dict[str, str]) -> list[str]:
    # An unknown value is passed on as written: the register rules name it in their error.
    return [table.get(normalize(v), v) for v in values]


def _parallel(text: str, count: int, what: str, errors: dict, key: str) -> list[str]:
    values = split(text)
    if not text.strip():
        return [""] * count
    if len(values) != count:
        errors.setdefault(key, []).append(
            N_(
                "%(n)s valeur(s) pour %(count)s %(what)s : une valeur par élément, séparées par « "
                "| », dans le même ordre.",
                n=len(values),
                count=count,
                what=what,
            )
        )
        return (values + [""] * count)[:count]
    return values


def _retention(text: str) -> dict:
    match = _RETENTION.match(normalize(text))
    if match:
        return {"retention_value": int(match.group(1)),
                "retention_unit": _UNITS[match.group(2)], "retention_criterion": ""}  # fmt: skip
    return {"retention_value": None, "retention_unit": None, "retention_criterion": text}


def _sensitivity(text: str) -> tuple[bool, bool] | None:
    plain = normalize(text)
    if plain in ("", "non", "no", "aucune"):
        return False, False
    numbers = set(re.findall(r"\d+", plain))
    if not numbers or not numbers <= {"9", "10"}:
        return None
    return "9" in numbers, "10" in numbers


def _consent(text: str, errors: dict, position: int) -> dict:
    empty = {"consent_by": "", "consent_on": None, "consent_reference": ""}
    if normalize(text) in ("", PENDING):
        return empty
    parts = [p.strip() for p in text.split(";")]
    day = _day(parts[1]) if len(parts) == 3 else None
    if day is None:
        errors.setdefault("transfer_consents", []).append(
            N_(
                "n° %(position)s : « %(text)s » — écrivez « qui ; AAAA-MM-JJ ; document » ou « En "
                "attente ».",
                position=position,
                text=text,
            )
        )
        return empty
    return {"consent_by": parts[0], "consent_on": day, "consent_reference": parts[2]}


def _day(text: str) -> str | None:
    """ "2026-01-31" or "31/01/2026" → "2026-01-31"; None when it is not a day."""
    french = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
    if french:
        text = f"{french.group(3)}-{int(french.group(2)):02d}-{int(french.group(1)):02d}"
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _persons(text: str, errors: dict):
    plain = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not plain:
        return None
    if not plain.isdigit():
        errors.setdefault("estimated_persons", []).append(f"« {text} » : nombre entier attendu.")
        return None
    return int(plain)


def _measures(text: str) -> list[dict]:
    measures = []
    for item in split(text):
        family, _, description = item.partition(" : ")
        measures.append(
            {"family": FAMILY_CODES.get(normalize(family), family.strip()),
             "description": description.strip()}
        )  # fmt: skip
    return measures


def parse_row(cells: dict, *, countries: dict[str, str], subprocessors: dict[str, int]):
    """(payload, errors by column key) for one row; `cells` maps column keys to raw values,
    `countries` normalised French names and codes to codes, `subprocessors` normalised legal
    names to ids."""
    text = {key: cell_text(value) for key, value in cells.items()}
    errors: dict[str, list[str]] = {}
    get = lambda key: text.get(key, "")  # noqa: E731
    payload = {
        "name": get("name").strip(),
        "description": get("description").strip(),
        "purposes": [{"label": label} for label in split(get("purposes"))],
        "legal_bases": _codes(split(get("legal_bases")), LEGAL_BASE_CODES),
        "data_subjects": split(get("data_subjects")),
        "recipients": split(get("recipients")),
        "estimated_persons": _persons(get("estimated_persons"), errors),
        "operations": _codes(split(get("operations")), OPERATION_CODES),
        "operations_detail": get("operations_detail").strip(),
        "measures": _measures(get("security_measures")),
        "security_notes": get("security_notes").strip(),
    }
    labels = split(get("data_categories"))
    purposes = _parallel(get("data_category_purposes"), len(labels), "catégorie(s) de données",
                         errors, "data_category_purposes")  # fmt: skip
    retentions = _parallel(get("data_category_retentions"), len(labels), "catégorie(s) de données",
                           errors, "data_category_retentions")  # fmt: skip
    flags = _parallel(get("data_category_sensitive"), len(labels), "catégorie(s) de données",
                      errors, "data_category_sensitive")  # fmt: skip
    payload["data_categories"] = []
    for i, label in enumerate(labels):
        sensitivity = _sensitivity(flags[i])
        if sensitivity is None:
            errors.setdefault("data_category_sensitive", []).append(
                N_(
                    "n° %(position)s : « %(flag)s » — écrivez « Non », « Art. 9 », « Art. 10 » ou "
                    "« Art. 9 et 10 ».",
                    position=i + 1,
                    flag=flags[i],
                )
            )
            sensitivity = (False, False)
        payload["data_categories"].append(
            {"label": label, "purpose": purposes[i], **_retention(retentions[i]),
             "is_special": sensitivity[0], "is_criminal": sensitivity[1]}
        )  # fmt: skip
    payload["transfers"] = _transfers(get, countries, errors)
    payload["subprocessor_ids"] = []
    for name in split(get("subprocessors")):
        found = subprocessors.get(normalize(name))
        if found is None:
            errors.setdefault("subprocessors", []).append(
                N_("Sous-traitant ultérieur inconnu : « %(name)s ».", name=name)
            )
        else:
            payload["subprocessor_ids"].append(found)
    return payload, errors


def _transfers(get, countries: dict[str, str], errors: dict) -> list[dict]:
    names = split(get("transfer_countries"))
    count, what = len(names), "transfert(s) (colonne des pays)"
    columns = {key: _parallel(get(key), count, what, errors, key) for key in TRANSFER_COLUMNS}
    transfers = []
    for i, name in enumerate(names):
        country = countries.get(normalize(name))
        if country is None:
            errors.setdefault("transfer_countries", []).append(f"Pays inconnu : « {name} ».")
        safeguard_text = columns["transfer_safeguards"][i]
        safeguard = SAFEGUARD_CODES.get(normalize(safeguard_text))
        if safeguard is None and safeguard_text.strip():
            errors.setdefault("transfer_safeguards", []).append(
                f"Garantie inconnue : « {safeguard_text} » ({', '.join(SAFEGUARDS.values())})."
            )
        transfers.append(
            {"country": country or name[:2], "recipient": columns["transfer_recipients"][i],
             "safeguard": safeguard,
             "safeguard_documentation": columns["transfer_safeguard_documentation"][i],
             **_consent(columns["transfer_consents"][i], errors, i + 1)}
        )  # fmt: skip
    return transfers
