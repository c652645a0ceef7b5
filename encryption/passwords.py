"""Archive passwords: long, random, ASCII, without look-alike characters (NIST SP 800-63B 5.1.1)."""

import secrets
import string

# No 0/O/o, 1/l/I/i, 5/S/s, 2/Z/z, 8/B: passwords are read aloud and copied by hand.
AMBIGUOUS = frozenset("0Oo1lIi5Ss2Zz8B")
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in AMBIGUOUS)
MIN_LENGTH = 20


def generate_password(length: int = 24) -> str:
    """Random password from `secrets` (PEP 506) with a lower, an upper letter and a digit."""
    if length < MIN_LENGTH:
        raise ValueError(f"Un mot de passe d'archive compte au moins {MIN_LENGTH} caractères.")
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password
