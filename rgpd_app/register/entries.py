"""An activity as plain data: the snapshot (history, API, rules), writing a payload back to
the model, and the flat row the exports use (and that an import must read back)."""

import json
from datetime import date, datetime
from types import SimpleNamespace

from rgpd_app.register import changes, countries, rules
from rgpd_app.register.choices import LEGAL_BASES, OPERATIONS, SAFEGUARDS, STATUSES
from rgpd_app.register.models import (
    DataCategory,
    ProcessingActivity,
    Purpose,
    SecurityMeasure,
    Transfer,
)

PROCESSOR_SIDE = ("operations", "operations_detail", "subprocessor_ids", "measures",
                  "security_notes", "transfers")  # fmt: skip
CONTROLLER_SIDE = ("name", "description", "purposes", "legal_bases", "data_subjects",
                   "data_categories", "recipients", "estimated_persons")  # fmt: skip
JSON_LISTS = ("operations", "legal_bases", "data_subjects", "recipients")

PURPOSE_KEYS = ("label", "instruction_id")
CATEGORY_KEYS = ("label", "purpose", "retention_value", "retention_unit", "retention_criterion",
                 "is_special", "is_criminal")  # fmt: skip
TRANSFER_KEYS = ("country", "recipient", "safeguard", "safeguard_documentation", "consent_by",
                 "consent_on", "consent_reference")  # fmt: skip
MEASURE_KEYS = ("family", "description")
CHILD_KEYS = {
    "purposes": PURPOSE_KEYS,
    "data_categories": CATEGORY_KEYS,
    "transfers": TRANSFER_KEYS,
    "measures": MEASURE_KEYS,
}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot(activity: ProcessingActivity) -> dict:
    """Everything the entry says, JSON-ready (the history keeps exactly this)."""
    adequacy = countries.adequacy()
    transfers = []
    for t in activity.transfers:
        row = {k: getattr(t, k) for k in TRANSFER_KEYS} | {"consent_on": _iso(t.consent_on)}
        row["country_name"] = countries.name(t.country)
        row["status"] = rules.transfer_status(row, adequacy)
        transfers.append(row)
    return {
        "id": activity.id,
        "controller_id": activity.controller_id,
        "controller_name": activity.controller.name if activity.controller else "",
        "name": activity.name,
        "description": activity.description,
        "status": activity.status,
        "version": activity.version,
        "operations": json.loads(activity.operations),
        "operations_detail": activity.operations_detail,
        "subprocessors": [
            {
                "id": s.id,
                "legal_name": s.legal_name,
                "country": s.country,
                "is_outside_eea": s.is_outside_eea,
            }
            for s in activity.subprocessors
        ],
        "measures": [{k: getattr(m, k) for k in MEASURE_KEYS} for m in activity.measures],
        "security_notes": activity.security_notes,
        "purposes": [{k: getattr(p, k) for k in PURPOSE_KEYS} for p in activity.purposes],
        "legal_bases": json.loads(activity.legal_bases),
        "data_subjects": json.loads(activity.data_subjects),
        "data_categories": [
            {k: getattr(c, k) for k in CATEGORY_KEYS}
            | {"processor_informed_at": _iso(c.processor_informed_at)}
            for c in activity.data_categories
        ],
        "recipients": json.loads(activity.recipients),
        "estimated_persons": activity.estimated_persons,
        "transfers": transfers,
        "copied_from_id": activity.copied_from_id,
        "updated_at": _iso(activity.updated_at),
    }


def project(key: str, value):
    """A payload or snapshot value reduced to what an edit can change, for comparison."""
    if key in CHILD_KEYS:
        return [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()
             if k in CHILD_KEYS[key]}
            for row in value or []
        ]  # fmt: skip
    if key == "subprocessor_ids":
        return sorted(value or [])
    return value


EMPTY = {
    "name": "", "description": "", "operations": [], "operations_detail": "", "subprocessors": [],
    "measures": [], "security_notes": "", "purposes": [], "legal_bases": [], "data_subjects": [],
    "data_categories": [], "recipients": [], "estimated_persons": None, "transfers": [],
}  # fmt: skip


def editable_view(snap: dict) -> dict:
    """The snapshot in payload shape (subprocessor_ids instead of subprocessor records)."""
    snap = EMPTY | snap
    view = {key: project(key, snap.get(key)) for key in CONTROLLER_SIDE + PROCESSOR_SIDE}
    view["subprocessor_ids"] = sorted(s["id"] for s in snap.get("subprocessors", []))
    return view


def merged(snap: dict | None, data: dict) -> dict:
    """The entry as it will be once `data` is applied (what the rules judge)."""
    entry = dict(snap or EMPTY)
    entry.update({k: v for k, v in data.items() if k != "version"})
    return entry


def apply(activity: ProcessingActivity, data: dict, subprocessors: list | None) -> None:
    """Write the present keys of a validated payload onto the activity (children replaced)."""
    for key in ("name", "description", "operations_detail", "security_notes",
                "estimated_persons"):  # fmt: skip
        if key in data:
            setattr(activity, key, data[key])
    for key in JSON_LISTS:
        if key in data:
            setattr(activity, key, json.dumps(data[key], ensure_ascii=False))
    if subprocessors is not None:
        activity.subprocessors = subprocessors
    previous = {rules.normalize(c.label): c for c in activity.data_categories}
    if "purposes" in data:
        activity.purposes = [Purpose(position=i, **p) for i, p in enumerate(data["purposes"])]
    if "measures" in data:
        activity.measures = [
            SecurityMeasure(position=i, **m) for i, m in enumerate(data["measures"])
        ]
    if "transfers" in data:
        activity.transfers = [Transfer(position=i, **t) for i, t in enumerate(data["transfers"])]
    if "data_categories" in data:
        categories = []
        for i, c in enumerate(data["data_categories"]):
            category = DataCategory(position=i, **c)
            old = previous.get(rules.normalize(c["label"]))
            if old is not None and (category.is_special or category.is_criminal):
                category.processor_informed_at = old.processor_informed_at
                category.processor_informed_by_id = old.processor_informed_by_id
            categories.append(category)
        activity.data_categories = categories


ROW_COLUMNS = (
    "id", "controller_siren", "controller_name", "name", "status", "version", "description",
    "purposes", "legal_bases", "data_subjects",
    "data_categories", "data_category_purposes", "data_category_retentions",
    "data_category_sensitive", "recipients", "estimated_persons",
    "transfer_countries", "transfer_recipients", "transfer_safeguards",
    "transfer_safeguard_documentation", "transfer_consents",
    "operations", "operations_detail", "subprocessors", "security_measures", "security_notes",
    "updated_at",
)  # fmt: skip
SEP = " | "


def row_from_snapshot(snap: dict, controller) -> dict:
    """The flat row of an entry as a history snapshot recorded it (the register as of a day):
    the snapshot is given the shape `activity_to_row` reads, so both rows are the same."""
    snap = EMPTY | {"status": "draft", "version": 1} | snap
    ns = SimpleNamespace
    on = snap.get("updated_at")
    return activity_to_row(
        ns(
            id=snap["id"],
            controller=controller,
            name=snap["name"],
            status=snap["status"],
            version=snap["version"],
            description=snap["description"],
            purposes=[ns(**_defaults(PURPOSE_KEYS) | p) for p in snap["purposes"]],
            legal_bases=json.dumps(snap["legal_bases"]),
            data_subjects=json.dumps(snap["data_subjects"]),
            recipients=json.dumps(snap["recipients"]),
            operations=json.dumps(snap["operations"]),
            data_categories=[ns(**_defaults(CATEGORY_KEYS) | c) for c in snap["data_categories"]],
            transfers=[_snapshot_transfer(t) for t in snap["transfers"]],
            measures=[ns(**_defaults(MEASURE_KEYS) | m) for m in snap["measures"]],
            subprocessors=[ns(**sub) for sub in snap["subprocessors"]],
            operations_detail=snap["operations_detail"],
            security_notes=snap["security_notes"],
            estimated_persons=snap["estimated_persons"],
            updated_at=datetime.fromisoformat(on) if on else ns(isoformat=lambda: ""),
        )
    )


def _defaults(keys) -> dict:
    """A child row's keys an older snapshot may lack: empty, or false for the flags."""
    return {
        k: (False if k.startswith("is_") else None if k.endswith("_value") else "") for k in keys
    }


def _snapshot_transfer(t: dict) -> SimpleNamespace:
    consent_on = date.fromisoformat(t["consent_on"]) if t.get("consent_on") else None
    values = {k: t.get(k) or "" for k in TRANSFER_KEYS} | {"consent_on": consent_on}
    has_consent = bool(values["consent_by"] and consent_on and values["consent_reference"])
    return SimpleNamespace(**values, has_consent=has_consent)


def _retention(c) -> dict:
    return {k: getattr(c, k) for k in ("retention_value", "retention_unit", "retention_criterion")}


def _sensitivity(c) -> str:
    if c.is_special and c.is_criminal:
        return "Art. 9 et 10"
    return "Art. 9" if c.is_special else ("Art. 10" if c.is_criminal else "Non")


def activity_to_row(activity: ProcessingActivity) -> dict:
    """One flat row per activity (CNIL activity sheet order); lists joined with " | ",
    child lists as parallel columns aligned by position so that a row reads back."""
    cats, transfers = activity.data_categories, activity.transfers
    join = SEP.join
    return {
        "id": activity.id,
        "controller_siren": activity.controller.siren,
        "controller_name": activity.controller.name,
        "name": activity.name,
        "status": STATUSES[activity.status],
        "version": activity.version,
        "description": activity.description,
        "purposes": join(p.label for p in activity.purposes),
        "legal_bases": join(LEGAL_BASES.get(b, b) for b in json.loads(activity.legal_bases)),
        "data_subjects": join(json.loads(activity.data_subjects)),
        "data_categories": join(c.label for c in cats),
        "data_category_purposes": join(c.purpose for c in cats),
        "data_category_retentions": join(rules.retention_text(_retention(c)) for c in cats),
        "data_category_sensitive": join(_sensitivity(c) for c in cats),
        "recipients": join(json.loads(activity.recipients)),
        "estimated_persons": activity.estimated_persons,
        "transfer_countries": join(t.country for t in transfers),
        "transfer_recipients": join(t.recipient for t in transfers),
        "transfer_safeguards": join(SAFEGUARDS.get(t.safeguard, t.safeguard) for t in transfers),
        "transfer_safeguard_documentation": join(t.safeguard_documentation for t in transfers),
        "transfer_consents": join(
            f"{t.consent_by} ; {t.consent_on.isoformat()} ; {t.consent_reference}"
            if t.has_consent
            else "En attente"
            for t in transfers
        ),
        "operations": join(OPERATIONS.get(o, o) for o in json.loads(activity.operations)),
        "operations_detail": activity.operations_detail,
        "subprocessors": join(s.legal_name for s in activity.subprocessors),
        "security_measures": changes.render_value(
            "measures",
            [{"family": m.family, "description": m.description} for m in activity.measures],
        ),
        "security_notes": activity.security_notes,
        "updated_at": activity.updated_at.isoformat(),
    }
