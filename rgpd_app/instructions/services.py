"""Instruction use cases: give, correct before receipt, read, files; the worker-free part.

Decisions on an instruction (receipt, flag, confirmation, withdrawal, CNIL, applied) live in
`decisions.py`, which instruction is in force in `inforce.py`; views, API and CLI call them.
"""

from datetime import datetime

from sqlalchemy import select

from rgpd_app.errors import NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.files import Upload
from rgpd_app.foundation.actor import Actor
from rgpd_app.instructions import decisions, inforce, notify, rules, storage
from rgpd_app.instructions.access import (
    InstructionRefused,
    get_instruction,
    list_instructions,
    refuse_unless_allowed,
    require_giver,
)
from rgpd_app.instructions.models import Instruction, InstructionAttachment
from rgpd_app.messages import N_
from rgpd_app.register.models import ProcessingActivity, Purpose

__all__ = [
    "InstructionRefused",
    "Upload",
    "decisions",
    "inforce",
    "list_instructions",
]


def _activities(ids: list[int], organisation_id: int, errors: dict) -> list[ProcessingActivity]:
    wanted = list(dict.fromkeys(ids or []))
    if not wanted:
        errors.setdefault("activity_ids", []).append(
            N_("Choisissez au moins un traitement concerné.")
        )
        return []
    stmt = select(ProcessingActivity).where(
        ProcessingActivity.id.in_(wanted),
        ProcessingActivity.controller_id == organisation_id,
        ProcessingActivity.archived_at.is_(None),
    )
    found = {a.id: a for a in db.session.scalars(stmt)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        errors.setdefault("activity_ids", []).append(
            N_(
                "Traitement inconnu de cette collectivité : %(missing)s.",
                missing=", ".join(missing),
            )
        )
    return [found[i] for i in wanted if i in found]


def _replaced(supersedes_id: int | None, organisation_id: int, errors: dict):
    if not supersedes_id:
        return None
    old = db.session.get(Instruction, supersedes_id)
    if old is None or old.organisation_id != organisation_id:
        errors.setdefault("supersedes_id", []).append(N_("Instruction à remplacer introuvable."))
        return None
    refused = rules.refusal(rules.SUPERSEDE, old.state)
    if refused is not None:
        errors.setdefault("supersedes_id", []).append(refused.message)
    elif old.superseded_by is not None:
        errors.setdefault("supersedes_id", []).append(
            N_(
                "%(old)s est déjà remplacée par %(new)s.",
                old=old.reference,
                new=old.superseded_by.reference,
            )
        )
    return old


def record_instruction(
    data: dict, uploads: list[Upload] | None = None, *, actor: Actor, now: datetime
) -> Instruction:
    """The municipality's instructor or DPO records a written instruction; the processor's
    DPOs are told at once (annex art. 1.2). A correction names the instruction it replaces."""
    require_giver(actor)
    uploads = uploads or []
    org_id = actor.organisation_id
    errors: dict[str, list[str]] = {}
    old = _replaced(data.get("supersedes_id"), org_id, errors)
    ids = data.get("activity_ids") or ([a.id for a in old.activities] if old else [])
    activities = _activities(ids, org_id, errors)
    try:
        storage.check_uploads(uploads)
    except ValidationFailed as err:
        errors.update(err.fields)
    if errors:
        raise ValidationFailed(errors)
    item = Instruction(
        organisation_id=org_id,
        subject=data["subject"].strip(),
        text=data["text"].strip(),
        effective_on=data["effective_on"],
        state=rules.GIVEN,
        supersedes=old,
        given_by_id=actor.id,
        given_by_name=actor.user.name or actor.user.email,
        given_at=now,
        activities=activities,
    )
    db.session.add(item)
    db.session.flush()
    for upload in uploads:
        storage.store(item, upload, user_id=actor.id, now=now)
    item.journal(
        "given",
        now=now,
        actor=actor,
        activity_ids=[a.id for a in activities],
        supersedes=old.reference if old else None,
        attachments=len(uploads),
    )
    lines = [
        f"Objet : {item.subject}",
        f"Prise d'effet : {item.effective_on.strftime('%d/%m/%Y')}",
        "Traitements concernés : " + ", ".join(a.name for a in activities),
        f"Donnée par : {item.given_by_name}",
    ]
    if old is not None:
        lines.append(f"Elle remplace l'instruction {old.reference}.")
    lines.append(
        "Accusez-en réception dans l'application ; si elle vous semble contraire à la "
        "réglementation, signalez-le sans attendre."
    )
    notify.tell(
        item,
        notify.PROCESSOR,
        template="instruction_given",
        title=f"Nouvelle instruction écrite {item.reference}",
        lines=lines,
        now=now,
    )
    db.session.commit()
    return item


def update_instruction(instruction_id: int, data: dict, *, actor: Actor, now: datetime):
    """Correct an instruction the processor has not yet acknowledged; afterwards refused (409)."""
    require_giver(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.GIVERS)
    refuse_unless_allowed(item, rules.EDIT)
    errors: dict[str, list[str]] = {}
    activities = _activities(data.get("activity_ids") or [], item.organisation_id, errors)
    if errors:
        raise ValidationFailed(errors)
    before = {"subject": item.subject, "effective_on": item.effective_on.isoformat()}
    item.subject, item.text = data["subject"].strip(), data["text"].strip()
    item.effective_on, item.activities, item.updated_at = data["effective_on"], activities, now
    item.journal(
        "updated", now=now, actor=actor, before=before, activity_ids=[a.id for a in activities]
    )
    db.session.commit()
    return item


def add_attachments(instruction_id: int, uploads: list[Upload], *, actor: Actor, now: datetime):
    """Attach files to an instruction not yet acknowledged (it is frozen afterwards)."""
    require_giver(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.GIVERS)
    refuse_unless_allowed(item, rules.EDIT)
    if not uploads:
        raise ValidationFailed({"attachments": [N_("Joignez au moins un fichier.")]})
    storage.check_uploads(uploads)
    stored = [storage.store(item, u, user_id=actor.id, now=now) for u in uploads]
    db.session.flush()
    item.journal(
        "attachments_added",
        now=now,
        actor=actor,
        files=[{"id": s.id, "sha256": s.sha256} for s in stored],
    )
    db.session.commit()
    return stored


def read_instruction(instruction_id: int, *, actor: Actor, now: datetime) -> Instruction:
    """One instruction (it names people: the read is journaled)."""
    item = get_instruction(instruction_id, actor=actor)
    item.journal("read", now=now, actor=actor)
    db.session.commit()
    return item


def purposes_from(item: Instruction) -> list[Purpose]:
    """Purposes of the register recorded as coming from this instruction."""
    stmt = select(Purpose).where(Purpose.instruction_id == item.id)
    return list(db.session.scalars(stmt.order_by(Purpose.activity_id, Purpose.position)))


def open_attachment(instruction_id: int, attachment_id: int, *, actor: Actor, now: datetime):
    """A file of a visible instruction and its path; the download is journaled."""
    item = get_instruction(instruction_id, actor=actor)
    found = db.session.get(InstructionAttachment, attachment_id)
    if found is None or found.instruction_id != item.id:
        raise NotFound()
    item.journal("attachment_read", now=now, actor=actor, attachment_id=found.id)
    db.session.commit()
    return found, storage.path_of(found)


def form_choices(*, actor: Actor) -> dict:
    """The processings and the replaceable instructions a giver may pick from."""
    require_giver(actor)
    org_id = actor.organisation_id
    activities = db.session.scalars(
        select(ProcessingActivity)
        .where(ProcessingActivity.controller_id == org_id, ProcessingActivity.archived_at.is_(None))
        .order_by(ProcessingActivity.name)
    )
    replaceable = [
        i
        for i in db.session.scalars(
            select(Instruction)
            .where(Instruction.organisation_id == org_id, Instruction.state != rules.WITHDRAWN)
            .order_by(Instruction.id.desc())
        )
        if i.superseded_by is None
    ]
    return {
        "activities": [(a.id, a.name) for a in activities],
        "replaceable": [(i.id, f"{i.reference} — {i.subject}") for i in replaceable],
    }
