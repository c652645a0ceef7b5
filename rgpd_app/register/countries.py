"""Countries: ISO 3166 codes with French names, and the EU/EEA and adequacy lists (data files)."""

import json
from functools import cache
from pathlib import Path

from babel import Locale

DATA = Path(__file__).parent / "data"

# CLDR territory codes that are groupings or placeholders, not countries (Kosovo, XK, stays).
NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


@cache
def names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → French name."""
    territories = Locale("fr").territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }


@cache
def eea() -> frozenset[str]:
    return frozenset(json.loads((DATA / "eea.json").read_text())["countries"])


@cache
def adequacy() -> dict[str, str]:
    """Countries with an EU adequacy decision → its scope ("" when the whole country)."""
    return dict(json.loads((DATA / "adequacy.json").read_text())["countries"])


def name(code: str) -> str:
    return names().get(code, code)


def choices_outside_eea() -> list[tuple[str, str]]:
    return sorted(
        ((code, label) for code, label in names().items() if code not in eea()),
        key=lambda pair: pair[1],
    )
