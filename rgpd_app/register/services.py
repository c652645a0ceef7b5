"""Register use cases: create, read, update (optimistic concurrency), validate, archive."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from rgpd_app.errors import Conflict, DomainError, Forbidden, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.messages import N_, joined
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.register import countries, history, rules, special
from rgpd_app.register.access import EDITORS, KEEPER, READERS, can_edit_processor_side
from rgpd_app.register.checks import check_entry, validated
from rgpd_app.register.choices import ARCHIVED, DRAFT, STATUSES, VALIDATED
from rgpd_app.register.entries import (
    CONTROLLER_SIDE,
    PROCESSOR_SIDE,
    activity_to_row,
    apply,
    editable_view,
    merged,
    project,
    snapshot,
)
from rgpd_app.register.models import (
    ProcessingActivity,
    RegisterTask,
    Subprocessor,
    processing_subprocessor,
)

# The exports build on the flat row (entries.py); views and API validate through `validated`.
__all__ = ["activity_to_row", "validated"]


class Archived(DomainError):
    code = "archived"


def _subprocessors(data: dict) -> list | None:
    if "subprocessor_ids" not in data:
        return None
    ids = set(data["subprocessor_ids"])
    found = db.session.scalars(select(Subprocessor).where(Subprocessor.id.in_(ids))).all()
    unknown = sorted(ids - {s.id for s in found})
    if unknown:
        raise ValidationFailed(
            {"subprocessor_ids": [f"Sous-traitant ultérieur inconnu : {i}." for i in unknown]}
        )
    return list(found)


def _guard_sides(actor: Actor, view: dict, data: dict) -> None:
    """Only the processor DPO changes the processor side (art. 30(2)); others may resend it."""
    if can_edit_processor_side(actor):
        return
    changed = [k for k in PROCESSOR_SIDE if k in data and project(k, data[k]) != view.get(k)]
    if changed:
        raise Forbidden(
            N_(
                "Le volet sous-traitant (art. 30.2) est tenu par le DPO du sous-traitant : champs "
                "non modifiables (%(changed)s).",
                changed=", ".join(changed),
            ),
            code="processor_side",
        )


def _controller_for_new(data: dict, actor: Actor) -> Organisation:
    controller_id = data.get("controller_id")
    if controller_id is None:
        if can_edit_processor_side(actor):
            raise ValidationFailed({"controller_id": [N_("Ce champ est obligatoire.")]})
        controller_id = actor.organisation_id
    controller = get_visible(Organisation, controller_id, actor, column=Organisation.id)
    if controller.kind != CONTROLLER:
        raise ValidationFailed({"controller_id": [N_("Choisissez une collectivité.")]})
    return controller


def _flag_special(activity, before_categories, entry, *, actor, now, notify=True) -> None:
    labels = rules.newly_flagged(before_categories, entry.get("data_categories", []))
    if labels:
        special.inform_processor(activity, labels, actor=actor, now=now, notify=notify)


def create_activity(data: dict, *, actor: Actor | None, now: datetime) -> ProcessingActivity:
    """A new draft entry: the processor DPO for any municipality, a controller DPO for its own."""
    activity = add_activity(data, actor=actor, now=now)
    db.session.commit()
    return activity


def add_activity(
    data: dict, *, actor: Actor | None, now: datetime, notify: bool = True
) -> ProcessingActivity:
    """`create_activity` without the commit, for a caller writing many in one transaction."""
    if actor is not None:
        require(actor, *EDITORS)
    controller = _controller_for_new(data, actor)
    if not data.get("name"):
        raise ValidationFailed({"name": [N_("Ce champ est obligatoire.")]})
    _guard_sides(actor, editable_view({}), data)
    entry = merged(None, data)
    check_entry(entry, now=now)
    activity = ProcessingActivity(
        controller=controller,
        status=DRAFT,
        version=1,
        created_at=now,
        updated_at=now,
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
    )
    apply(activity, data, _subprocessors(data))
    db.session.add(activity)
    db.session.flush()
    _flag_special(activity, [], entry, actor=actor, now=now, notify=notify)
    history.record_version(activity, "created", None, actor=actor, now=now)
    activity.journal("register.created", now=now, actor=actor, name=activity.name)
    return activity


def _check_version(activity: ProcessingActivity, version) -> None:
    if version is not None and version != activity.version:
        raise Conflict(
            N_(
                "Ce traitement a été modifié entre-temps (version %(version)s, vous avez lu la "
                "version %(read)s) : rechargez-le avant de l'enregistrer.",
                version=activity.version,
                read=version,
            ),
            code="stale_version",
        )


def _commit_or_conflict() -> None:
    try:
        db.session.commit()
    except StaleDataError as err:  # another transaction saved the same version first
        db.session.rollback()
        raise Conflict(
            N_("Ce traitement vient d'être modifié par quelqu'un d'autre : rechargez-le."),
            code="stale_version",
        ) from err


def update_activity(
    activity_id: int, data: dict, *, actor: Actor, now: datetime
) -> ProcessingActivity:
    """Apply the present keys; `version` must be the one read (stale → 409)."""
    require(actor, *EDITORS)
    activity = get_visible(ProcessingActivity, activity_id, actor, ProcessingActivity.controller_id)
    if data.get("version") is None:
        raise ValidationFailed(
            {"version": [N_("Indiquez la version lue (verrouillage optimiste).")]}
        )
    if activity.status == ARCHIVED:
        raise Archived(N_("Ce traitement est archivé : il ne peut plus être modifié."))
    _check_version(activity, data["version"])
    if data.get("controller_id", activity.controller_id) != activity.controller_id:
        raise ValidationFailed(
            {"controller_id": [N_("Un traitement ne change pas de collectivité : copiez-le.")]}
        )
    before = snapshot(activity)
    view = editable_view(before)
    _guard_sides(actor, view, data)
    entry = merged(before, data)
    check_entry(entry, now=now)
    changed = [
        k for k in CONTROLLER_SIDE + PROCESSOR_SIDE if k in data and project(k, data[k]) != view[k]
    ]
    if not changed:
        return activity
    apply(activity, data, _subprocessors(data))
    activity.version += 1
    activity.updated_at, activity.updated_by_id = now, actor.id
    if activity.status == VALIDATED:
        activity.status = DRAFT  # a changed entry is validated again
    try:
        db.session.flush()
    except StaleDataError as err:
        db.session.rollback()
        raise Conflict(
            N_("Ce traitement vient d'être modifié : rechargez-le."), code="stale_version"
        ) from err
    if "data_categories" in data:
        _flag_special(activity, before["data_categories"], entry, actor=actor, now=now)
    history.record_version(activity, "updated", before, actor=actor, now=now)
    activity.journal(
        "register.updated", now=now, actor=actor, fields=changed, version=activity.version
    )
    _commit_or_conflict()
    return activity


@dataclass(frozen=True)
class Described:
    activity: ProcessingActivity
    entry: dict
    completeness: rules.Completeness
    problems: list[str]
    tasks: list


def describe(activity: ProcessingActivity) -> Described:
    entry = snapshot(activity)
    tasks = db.session.scalars(
        select(RegisterTask)
        .where(RegisterTask.activity_id == activity.id)
        .order_by(RegisterTask.done_at.is_not(None), RegisterTask.created_at.desc())
    ).all()
    return Described(
        activity,
        entry,
        rules.completeness(entry),
        rules.problems(entry, countries.adequacy()),
        list(tasks),
    )


def get_activity(activity_id: int, *, actor: Actor, now: datetime) -> Described:
    """One entry with its completeness and problems; the read is journaled."""
    require(actor, *READERS)
    activity = get_visible(ProcessingActivity, activity_id, actor, ProcessingActivity.controller_id)
    activity.journal("register.read", now=now, actor=actor)
    db.session.commit()
    return describe(activity)


def change_status(
    activity_id: int, target: str, *, actor: Actor, now: datetime, version: int | None = None
) -> ProcessingActivity:
    """Draft → validated (complete, no problem) → archived; the processor DPO only."""
    require(actor, KEEPER)
    activity = get_visible(ProcessingActivity, activity_id, actor, ProcessingActivity.controller_id)
    _check_version(activity, version)
    if target not in STATUSES or not rules.is_allowed_transition(activity.status, target):
        raise DomainError(
            N_(
                "Passage impossible de « %(current)s » à « %(target)s ».",
                current=STATUSES[activity.status],
                target=STATUSES.get(target, target),
            ),
            code="transition",
        )
    before = snapshot(activity)
    if target == VALIDATED:
        refusals = rules.validation_refusals(before, countries.adequacy())
        if refusals:
            raise DomainError(
                N_(
                    "Le traitement ne peut pas être validé : %(refusals)s",
                    refusals=joined(" ; ", refusals),
                ),
                code="incomplete",
                fields={"_schema": refusals},
            )
        activity.validated_at, activity.validated_by_id = now, actor.id
    else:
        activity.archived_at = now
    activity.status = target
    activity.version += 1
    activity.updated_at, activity.updated_by_id = now, actor.id
    db.session.flush()
    history.record_version(activity, target, before, actor=actor, now=now)
    activity.journal(f"register.{target}", now=now, actor=actor, version=activity.version)
    _commit_or_conflict()
    return activity


def complete_task(task_id: int, *, actor: Actor, now: datetime) -> RegisterTask:
    require(actor, KEEPER)
    task = get_visible(RegisterTask, task_id, actor, RegisterTask.controller_id)
    if task.done_at is not None:
        raise DomainError(N_("Cette tâche est déjà faite."), code="task_done")
    task.done_at, task.done_by_id = now, actor.id
    record(
        "register.task_done",
        now=now,
        actor=actor,
        organisation_id=task.controller_id,
        object_type="register_task",
        object_id=task.id,
        details={"kind": task.kind, "activity_id": task.activity_id},
    )
    db.session.commit()
    return task


# -- what the sub-processors (the domain above) read of the processings ----------------------


def subprocessor_uses(org_id: int) -> dict[int, list[str]]:
    """Sub-processor id → names of the municipality's live processings linked to it."""
    rows = db.session.execute(
        select(processing_subprocessor.c.subprocessor_id, ProcessingActivity.name)
        .join(ProcessingActivity, ProcessingActivity.id == processing_subprocessor.c.activity_id)
        .where(ProcessingActivity.controller_id == org_id, ProcessingActivity.status != ARCHIVED)
        .order_by(ProcessingActivity.name)
    )
    linked: dict[int, list[str]] = {}
    for sub_id, name in rows:
        linked.setdefault(sub_id, []).append(name)
    return linked


def controllers_performing(operations: set[str]) -> set[int]:
    """Ids of the municipalities with a live processing performing one of `operations`."""
    using = set()
    rows = db.session.execute(
        select(ProcessingActivity.controller_id, ProcessingActivity.operations).where(
            ProcessingActivity.status != ARCHIVED
        )
    )
    for controller_id, performed in rows:
        if operations & set(json.loads(performed or "[]")):
            using.add(controller_id)
    return using
