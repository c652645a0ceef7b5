"""History diff: each field of an entry as one line of French text, and what changed
between two snapshots (GDPR art. 30 record kept with its versions). Pure."""

from dataclasses import dataclass

from rgpd_app.register.choices import (
    LEGAL_BASES,
    MEASURE_FAMILIES,
    OPERATIONS,
    SAFEGUARDS,
    STATUSES,
)
from rgpd_app.register.rules import FIELD_LABELS, has_consent, retention_text


def render_value(field: str, value) -> str:
    """A field's value as one line of French text (history diff, flat rows)."""
    if value is None or value == [] or value == "":
        return ""
    if field == "status":
        return STATUSES.get(value, value)
    if field == "operations":
        return " | ".join(OPERATIONS.get(v, v) for v in value)
    if field == "legal_bases":
        return " | ".join(LEGAL_BASES.get(v, v) for v in value)
    if field == "subprocessors":
        return " | ".join(s["legal_name"] for s in value)
    if field == "measures":
        return " | ".join(
            f"{MEASURE_FAMILIES.get(m['family'], m['family'])} : {m['description']}".rstrip(" :")
            for m in value
        )
    if field == "purposes":
        return " | ".join(p["label"] for p in value)
    if field == "data_categories":
        return " | ".join(_category_text(c) for c in value)
    if field == "transfers":
        return " | ".join(_transfer_text(t) for t in value)
    if isinstance(value, list):
        return " | ".join(str(v) for v in value)
    return str(value)


def _category_text(c: dict) -> str:
    flags = [
        f for f, on in (("art. 9", c.get("is_special")), ("art. 10", c.get("is_criminal"))) if on
    ]
    parts = [f"finalité : {c.get('purpose') or '—'}", f"conservation : {retention_text(c) or '—'}"]
    return f"{c['label']} ({'; '.join(parts + flags)})"


def _transfer_text(t: dict) -> str:
    consent = (
        f"consentement de {t['consent_by']} le {t['consent_on']} ({t['consent_reference']})"
        if has_consent(t)
        else "consentement en attente"
    )
    safeguard = SAFEGUARDS.get(t.get("safeguard"), t.get("safeguard") or "")
    return f"{t['country']} — {t['recipient']} ({safeguard} ; {consent})"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def diff(before: dict | None, after: dict) -> list[Change]:
    """Field-by-field differences between two snapshots (before None: a creation)."""
    before = before or {}
    changes = []
    for field, label in FIELD_LABELS.items():
        old, new = render_value(field, before.get(field)), render_value(field, after.get(field))
        if old != new:
            changes.append(Change(field, label, old, new))
    return changes
