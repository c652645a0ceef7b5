"""Maintenance of the English catalogue (run by update.sh, not imported by the app).

French is the source language: msgids are French, `en.json` maps each one to its English
translation. Two steps pybabel cannot do on its own:

- `runtime POT`: add the labels that templates show through a variable (menu entries,
  role labels, contract period labels, audit states) and that extraction therefore cannot see;
- `fill PO JSON`: write every msgstr of the .po from `en.json`; lists the msgids that have
  no translation yet (exit status 1) so they can be added to `en.json`.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def runtime_labels() -> dict[str, str]:
    """French label → where it comes from, for every label translated at render time."""
    from rgpd_app import create_app

    with tempfile.TemporaryDirectory() as instance:
        # Building the app imports every views module, which appends its menu entries.
        create_app(
            {"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "-"}
        )
    from audit.states import STATE_LABELS as AUDIT_STATES
    from rgpd_app.foundation.roles import ROLE_LABELS
    from rgpd_app.register.rules import FIELD_LABELS as REGISTER_FIELDS
    from rgpd_app.templating import FIELD_LABELS, PERIOD_LABELS

    labels = {}
    for role, label in ROLE_LABELS.items():
        labels.setdefault(label, f"role {role} (rgpd_app.foundation.roles.ROLE_LABELS)")
    for name, label in FIELD_LABELS.items():
        labels.setdefault(label, f"form field {name} (rgpd_app.templating.FIELD_LABELS)")
    for name, label in REGISTER_FIELDS.items():
        labels.setdefault(label, f"register field {name} (rgpd_app.register.rules.FIELD_LABELS)")
    for state, label in AUDIT_STATES.items():
        labels.setdefault(label, f"audit state {state.value} (audit.states.STATE_LABELS)")
    for name, label in PERIOD_LABELS.items():
        labels.setdefault(label, f"contract period {name} (rgpd_app.templating.PERIOD_LABELS)")
    from rgpd_app.register.views import LABELS as REGISTER_LABELS

    for group, choices in REGISTER_LABELS.items():
        for name, label in choices.items():
            labels.setdefault(label, f"register {group} {name} (rgpd_app.register.views.LABELS)")
    from rgpd_app.breaches.rules import CAUSES, NATURES
    from rgpd_app.subprocessors.notices.rules import AUTHORISATIONS, KINDS, OUTCOMES, SCOPES, STATES

    for name, label in {**NATURES, **CAUSES}.items():
        labels.setdefault(label, f"breach nature or cause {name} (breaches.rules)")

    for name, label in {**KINDS, **SCOPES}.items():
        labels.setdefault(label, f"notice kind or scope {name} (subprocessors.notices.rules)")
    for name, label in {**STATES, **OUTCOMES, **AUTHORISATIONS}.items():
        labels.setdefault(label, f"notice state or outcome {name} (subprocessors.notices.rules)")
    return labels


def add_runtime(pot_path: Path) -> int:
    with pot_path.open("rb") as f:
        catalog = read_po(f)
    labels = runtime_labels()
    for label, source in labels.items():
        catalog.add(label, auto_comments=[f"Translated at render time: {source}"])
    with pot_path.open("wb") as f:
        write_po(f, catalog)
    print(f"{len(labels)} runtime labels added to {pot_path}")
    return 0


def fill(po_path: Path, json_path: Path) -> int:
    translations = json.loads(json_path.read_text(encoding="utf-8"))
    with po_path.open("rb") as f:
        catalog = read_po(f, locale="en")
    missing = []
    for message in catalog:
        if not message.id:
            continue  # the header
        message.flags.discard("fuzzy")
        text = translations.get(message.id, "")
        message.string = text
        if not text.strip():
            missing.append(message.id)
    with po_path.open("wb") as f:
        write_po(f, catalog, ignore_obsolete=True)
    used = len(catalog) - len(missing)
    print(f"{used} of {len(catalog)} messages translated in {po_path}")
    unused = sorted(set(translations) - {m.id for m in catalog if m.id})
    if unused:
        print(f"{len(unused)} entries of {json_path} no longer used: {unused}")
    if missing:
        print(f"Missing from {json_path} ({len(missing)}):", file=sys.stderr)
        for msgid in missing:
            print(f"  {json.dumps(msgid, ensure_ascii=False)}", file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    runtime = sub.add_parser("runtime", help="add the render-time labels to a .pot")
    runtime.add_argument("pot", type=Path)
    filler = sub.add_parser("fill", help="fill a .po from a JSON dictionary")
    filler.add_argument("po", type=Path)
    filler.add_argument("json", type=Path)
    args = parser.parse_args(argv)
    if args.command == "runtime":
        return add_runtime(args.pot)
    return fill(args.po, args.json)


if __name__ == "__main__":
    sys.exit(main())
