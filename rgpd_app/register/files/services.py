"""Importing a municipality's register from a CSV, XLSX or ODS file (the export's columns).

Every row is read and validated first, through the same path as a form or an API call
(`checks.validated`, then the register rules); any error refuses the whole file with every
error by row and column, and nothing is written. The wizard keeps a valid file (uploads.py) until
the user confirms it; the confirmation checks it again and writes every row in one transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.register import countries, services
from rgpd_app.register.access import EDITORS, can_edit_processor_side
from rgpd_app.register.checks import entry_errors, validated
from rgpd_app.register.entries import ROW_COLUMNS, merged
from rgpd_app.register.exporting import LABELS
from rgpd_app.register.files import row_parsing, sheets, uploads
from rgpd_app.register.models import ProcessingActivity, Subprocessor
from rgpd_app.register.rules import has_consent, normalize

HEADERS = {normalize(label): key for key, label in LABELS.items()} | {k: k for k in ROW_COLUMNS}
PROCESSOR_KEYS = ("operations", "operations_detail", "subprocessor_ids", "measures",
                  "security_notes", "transfers")  # fmt: skip
_LEAVES = {
    "data_categories": {"purpose": "data_category_purposes",
                        "retention_value": "data_category_retentions",
                        "retention_unit": "data_category_retentions",
                        "retention_criterion": "data_category_retentions",
                        "is_special": "data_category_sensitive",
                        "is_criminal": "data_category_sensitive"},
    "transfers": {"recipient": "transfer_recipients", "safeguard": "transfer_safeguards",
                  "safeguard_documentation": "transfer_safeguard_documentation",
                  "consent_by": "transfer_consents", "consent_on": "transfer_consents",
                  "consent_reference": "transfer_consents"},
}  # fmt: skip
_HEADS = {"data_categories": "data_categories", "transfers": "transfer_countries",
          "measures": "security_measures", "subprocessor_ids": "subprocessors"}  # fmt: skip


@dataclass(frozen=True)
class Issue:
    row: int
    column: str  # the column key ("" for the file as a whole)
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.column, self.column or "—")


@dataclass
class Checked(Journaled):
    controller: Organisation
    filename: str
    fmt: str
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, loaded payload)
    issues: list[Issue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    upload_id: str | None = None

    journal_type = "register_import"
    journal_key = "upload_id"
    journal_organisation = "controller.id"

    def journal_details(self) -> dict:
        return {"filename": self.filename, "format": self.fmt}

    @property
    def counts(self) -> dict[str, int]:
        data = [payload for _, payload in self.rows]
        flagged = [p for p in data if any(c["is_special"] or c["is_criminal"]
                                          for c in p.get("data_categories", []))]  # fmt: skip
        transfers = [p for p in data if p.get("transfers")]
        pending = [p for p in transfers if not all(has_consent(t) for t in p["transfers"])]
        return {"rows": len(data), "special": len(flagged), "transfers": len(transfers),
                "pending_consent": len(pending)}  # fmt: skip


class ImportRefused(DomainError):
    code = "import_refused"

    def __init__(self, checked: Checked):
        fields: dict[str, list[str]] = {}
        for issue in checked.issues:
            fields.setdefault(f"ligne {issue.row} — {issue.label}", []).append(issue.message)
        super().__init__(
            N_(
                "Import refusé : %(n)s erreur(s) ; rien n'a été enregistré.",
                n=len(checked.issues),
            ),
            fields=fields,
        )
        self.checked = checked


def column_of(path: str) -> tuple[str, str]:
    """A schema or rule error path → (column key, "n° i : " prefix for a list item)."""
    parts = path.split(".")
    index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    leaf = parts[2] if len(parts) > 2 else None
    column = _LEAVES.get(parts[0], {}).get(leaf) or _HEADS.get(parts[0], parts[0])
    if column not in LABELS:
        column = "name" if column == "_schema" else ""
    return column, (f"n° {index + 1} : " if index is not None else "")


def _controller(controller_id, actor: Actor) -> Organisation:
    if controller_id in (None, ""):
        if actor.is_processor_staff:
            raise ValidationFailed({"controller_id": [N_("Choisissez une collectivité.")]})
        controller_id = actor.organisation_id
    if not str(controller_id).isdigit():
        raise ValidationFailed({"controller_id": [N_("Choisissez une collectivité.")]})
    controller = get_visible(Organisation, int(controller_id), actor, column=Organisation.id)
    if controller.kind != CONTROLLER:
        raise ValidationFailed({"controller_id": [N_("Choisissez une collectivité.")]})
    return controller


def check_file(
    path: Path, fmt: str, *, controller: Organisation, filename: str, actor: Actor, now: datetime
) -> Checked:
    """Every row read and validated; nothing written."""
    checked = Checked(controller, filename, fmt)
    try:
        limits = sheets.Limits.from_settings(current_app.config)
        notices, numbered = sheets.read_rows(path, fmt, limits)
        checked.notices.extend(notices)
        _check_rows(checked, numbered, actor=actor, now=now)
    except sheets.UnreadableFile as err:  # LimitExceeded included: nothing is kept
        checked.issues.append(Issue(1, "", str(err)))
    checked.issues.sort(key=lambda i: (i.row, ROW_COLUMNS.index(i.column)
                                       if i.column in ROW_COLUMNS else -1))  # fmt: skip
    return checked


def _header(checked: Checked, cells: list) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, value in enumerate(cells):
        text = row_parsing.cell_text(value).strip()
        if not text:
            continue
        key = HEADERS.get(normalize(text))
        if key is None:
            checked.issues.append(Issue(1, "", f"Colonne inconnue : « {text} »."))
        elif key in columns.values():
            checked.issues.append(Issue(1, key, N_("Colonne en double.")))
        else:
            columns[index] = key
    if "name" not in columns.values():
        checked.issues.append(Issue(1, "name", N_("Colonne obligatoire absente.")))
    return columns


def _check_rows(checked: Checked, numbered, *, actor: Actor, now: datetime) -> None:
    lookups = {
        "countries": {normalize(n): c for c, n in countries.names().items()}
        | {c.lower(): c for c in countries.names()},
        "subprocessors": {normalize(s.legal_name): s.id for s in db.session.scalars(
            select(Subprocessor))},
    }  # fmt: skip
    existing = {normalize(n) for n in db.session.scalars(select(ProcessingActivity.name).where(
        ProcessingActivity.controller_id == checked.controller.id))}  # fmt: skip
    header = next(numbered, None)
    if header is None:
        checked.issues.append(Issue(1, "", N_("Le fichier est vide.")))
        return
    columns = _header(checked, header[1])
    processor_side = can_edit_processor_side(actor)
    seen, sirens, dropped = {}, set(), False
    for number, cells in numbered:  # bounded by sheets (LimitExceeded)
        values = {key: cells[i] if i < len(cells) else None for i, key in columns.items()}
        siren = row_parsing.cell_text(values.get("controller_siren")).strip()
        if siren:
            sirens.add(siren)
        payload, errors = row_parsing.parse_row(values, **lookups)
        if not processor_side:
            dropped |= any(payload[k] for k in PROCESSOR_KEYS)
            payload = {k: v for k, v in payload.items() if k not in PROCESSOR_KEYS}
            errors = {k: v for k, v in errors.items() if k not in row_parsing.PROCESSOR_COLUMNS}
        data = _validated(payload, errors, actor=actor, now=now)
        name = normalize(payload.get("name", ""))
        if name and name in existing:
            errors.setdefault("name", []).append(N_("Un traitement de ce nom existe déjà ici."))
        elif name and name in seen:
            errors.setdefault("name", []).append(
                N_("Même nom qu'à la ligne %(row)s.", row=seen[name])
            )
        if name:
            seen.setdefault(name, number)
        for column, messages in errors.items():
            checked.issues.extend(Issue(number, column, m) for m in messages)
        if not errors:
            checked.rows.append((number, data))
    if len(sirens) > 1:
        shown = sorted(sirens)[:5] + (["…"] if len(sirens) > 5 else [])
        message = N_(
            "Le fichier mêle %(n)s collectivités (%(shown)s) : importez-les une par une.",
            n=len(sirens),
            shown=", ".join(shown),
        )
        checked.issues.append(Issue(1, "controller_siren", message))
    if not checked.rows and not checked.issues:
        checked.issues.append(Issue(2, "", N_("Le fichier ne contient aucun traitement.")))
    if dropped:
        checked.notices.append(N_("Les colonnes du volet sous-traitant ne sont pas importées : "
                               "ce volet est tenu par le DPO du sous-traitant."))  # fmt: skip


def _validated(payload: dict, errors: dict, *, actor: Actor, now: datetime) -> dict | None:
    """The same checks as a form or an API call; parse errors win over what follows from them."""
    parsed = set(errors)
    if not payload.get("name"):
        payload.pop("name", None)
        errors.setdefault("name", []).append(N_("Ce champ est obligatoire."))
    found: dict[str, list[str]] = {}
    data = None
    try:
        data = validated(payload, actor=actor, now=now)
    except ValidationFailed as err:
        found = err.fields
    else:
        found = entry_errors(merged(None, data), now=now)
    for path, messages in found.items():
        column, prefix = column_of(path)
        if column in parsed:
            continue
        errors.setdefault(column, []).extend(prefix + m for m in messages)
    return data


def upload_file(stream, filename: str, *, controller_id, actor: Actor, now: datetime) -> Checked:
    """Step 1: store the file and check it; a file with errors is not kept."""
    require(actor, *EDITORS)
    controller = _controller(controller_id, actor)
    fmt = sheets.format_of(filename)
    if fmt is None:
        raise ValidationFailed({"file": [N_("Déposez un fichier .csv, .xlsx ou .ods.")]})
    meta = {"user_id": actor.id, "controller_id": controller.id, "filename": filename,
            "uploaded_at": now.isoformat()}  # fmt: skip
    upload_id, path = uploads.save(stream, fmt=fmt, meta=meta)
    checked = check_file(path, fmt, controller=controller, filename=filename, actor=actor, now=now)
    if checked.issues:
        uploads.discard(upload_id)
    else:
        checked.upload_id = upload_id
    checked.journal(
        "register.import_checked",
        now=now,
        actor=actor,
        rows=len(checked.rows),
        errors=len(checked.issues),
    )
    db.session.commit()
    return checked


def confirm_import(upload_id: str, *, actor: Actor, now: datetime) -> list[ProcessingActivity]:
    """Step 2: check the stored file again and write all its rows in one transaction."""
    require(actor, *EDITORS)
    path, meta = uploads.pending(upload_id, user_id=actor.id, now=now)
    controller = _controller(meta["controller_id"], actor)
    taken = uploads.claim(path)
    try:
        checked = check_file(taken, meta["format"], controller=controller,
                             filename=meta["filename"], actor=actor, now=now)  # fmt: skip
        checked.upload_id = upload_id
        if checked.issues:
            raise ImportRefused(checked)
        notify = not can_edit_processor_side(actor)  # the processor DPO knows what it imports
        made = [
            services.add_activity(data | {"controller_id": controller.id}, actor=actor,
                                  now=now, notify=notify)
            for _, data in checked.rows
        ]  # fmt: skip
        checked.journal(
            "register.imported", now=now, actor=actor, rows=len(made), ids=[a.id for a in made]
        )
        db.session.commit()
    except ImportRefused:
        db.session.rollback()
        uploads.discard(upload_id, taken)
        raise
    except BaseException:
        db.session.rollback()
        uploads.release(taken, path)
        raise
    uploads.discard(upload_id, taken)
    return made
