"""The edit form without JavaScript: child lists are repeated fieldsets named
`purposes.0.label`…; blank rows are dropped, "add a row" submits for one more blank row."""

ROW_FIELDS = {
    "purposes": ("label", "instruction_id"),
    "data_categories": (
        "label",
        "purpose",
        "retention_value",
        "retention_unit",
        "retention_criterion",
        "is_special",
        "is_criminal",
    ),  # fmt: skip
    "transfers": (
        "country",
        "recipient",
        "safeguard",
        "safeguard_documentation",
        "consent_by",
        "consent_on",
        "consent_reference",
    ),  # fmt: skip
    "measures": ("family", "description"),
}
CHECKBOXES = {"is_special", "is_criminal"}
LINES = ("data_subjects", "recipients")
CHOICES = ("operations", "legal_bases", "subprocessor_ids")
CONTROLLER_TEXT = ("name", "description", "estimated_persons")
PROCESSOR_TEXT = ("operations_detail", "security_notes")
CONTROLLER_ROWS = ("purposes", "data_categories")
PROCESSOR_ROWS = ("transfers", "measures")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "on"
    if value is False:
        return ""
    return str(value)


def form_from_entry(entry: dict) -> dict:
    """Raw strings for the template from a snapshot."""
    form = {k: _text(entry.get(k)) for k in CONTROLLER_TEXT + PROCESSOR_TEXT}
    form["version"] = _text(entry.get("version"))
    form["controller_id"] = _text(entry.get("controller_id"))
    for key in LINES:
        form[key] = "\n".join(entry.get(key) or [])
    form["operations"] = list(entry.get("operations") or [])
    form["legal_bases"] = list(entry.get("legal_bases") or [])
    form["subprocessor_ids"] = [str(s["id"]) for s in entry.get("subprocessors") or []]
    rows = {
        kind: [{f: _text(row.get(f)) for f in fields} for row in entry.get(kind) or []]
        for kind, fields in ROW_FIELDS.items()
    }
    return {"fields": form, "rows": rows}


def _row_is_blank(row: dict) -> bool:
    return not any(row.values())


def form_from_request(form) -> dict:
    """Raw strings from a posted MultiDict, blank rows dropped (indices renumbered)."""
    fields = {k: form.get(k, "") for k in CONTROLLER_TEXT + PROCESSOR_TEXT}
    fields["version"] = form.get("version", "")
    fields["controller_id"] = form.get("controller_id", "")
    for key in LINES:
        fields[key] = form.get(key, "")
    for key in CHOICES:
        fields[key] = form.getlist(key)
    rows = {}
    for kind, names in ROW_FIELDS.items():
        indices = sorted(
            {int(k.split(".")[1]) for k in form if k.startswith(kind + ".") and
             k.split(".")[1].isdigit()}
        )  # fmt: skip
        found = []
        for i in indices:
            row = {n: form.get(f"{kind}.{i}.{n}", "").strip() for n in names}
            if not _row_is_blank(row):
                found.append(row)
        rows[kind] = found
    return {"fields": fields, "rows": rows}


def payload(raw: dict, *, controller_side: bool, processor_side: bool, new: bool) -> dict:
    """The JSON-shaped payload the ProcessingInput schema validates."""
    fields, rows = raw["fields"], raw["rows"]
    data: dict = {}
    if fields.get("version"):
        data["version"] = fields["version"]
    if new and fields.get("controller_id"):
        data["controller_id"] = fields["controller_id"]
    text_keys = (CONTROLLER_TEXT if controller_side else ()) + (
        PROCESSOR_TEXT if processor_side else ()
    )
    for key in text_keys:
        value = fields.get(key, "").strip()
        data[key] = None if key == "estimated_persons" and not value else value
    row_kinds = (CONTROLLER_ROWS if controller_side else ()) + (
        PROCESSOR_ROWS if processor_side else ()
    )
    for kind in row_kinds:
        data[kind] = [_row_payload(row) for row in rows[kind]]
    if controller_side:
        for key in LINES:
            data[key] = [line.strip() for line in fields[key].splitlines() if line.strip()]
        data["legal_bases"] = list(fields["legal_bases"])
    if processor_side:
        data["operations"] = list(fields["operations"])
        data["subprocessor_ids"] = list(fields["subprocessor_ids"])
    return data


def _row_payload(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if key in CHECKBOXES:
            out[key] = bool(value)
        elif value != "":
            out[key] = value
    return out


def with_blank_rows(raw: dict, extra: dict[str, int]) -> dict:
    """Rows to display: the filled ones plus blank rows (one, or more after "add a row")."""
    rows = {}
    for kind, names in ROW_FIELDS.items():
        blanks = [dict.fromkeys(names, "") for _ in range(max(1, extra.get(kind, 1)))]
        rows[kind] = raw["rows"][kind] + blanks
    return {"fields": raw["fields"], "rows": rows}
