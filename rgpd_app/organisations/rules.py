"""Organisation identifiers and calendars. Pure."""

import re

DEPARTEMENT_RE = re.compile(r"^(0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2A|2B|97[1-46])$")


def siren_is_valid(siren: str) -> bool:
    """A SIREN is 9 digits passing the Luhn check (INSEE)."""
    if not re.fullmatch(r"\d{9}", siren or ""):
        return False
    total = 0
    for index, char in enumerate(reversed(siren)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def departement_is_valid(code: str) -> bool:
    """Metropolitan (01–95, 2A, 2B) or overseas (971–974, 976) département code."""
    return bool(DEPARTEMENT_RE.match(code or ""))
