"""A standard processing written once and copied to many municipalities at once; each copy
then lives on its own (its own history, its own consents and instructions)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.register import history, rules, special
from rgpd_app.register.access import KEEPER
from rgpd_app.register.choices import DRAFT
from rgpd_app.register.entries import apply, editable_view, snapshot
from rgpd_app.register.models import ProcessingActivity

CONSENT_KEYS = ("consent_by", "consent_on", "consent_reference")
BATCH = 50  # copies per transaction in the worker


def copy_payload(source: dict) -> dict:
    """What a copy inherits: the content, not the controller's own acts. Instructions and
    prior written consents belong to the source municipality, so the copy has none."""
    data = editable_view(source)
    data["purposes"] = [p | {"instruction_id": None} for p in data["purposes"]]
    data["transfers"] = [
        t | {"consent_by": "", "consent_on": None, "consent_reference": ""}
        for t in data["transfers"]
    ]
    data.pop("subprocessor_ids")
    return data


def check_targets(controller_ids: list[int]) -> dict[int, Organisation]:
    """The municipalities of `controller_ids` (duplicates dropped, order kept); an unknown id
    refuses the whole copy."""
    ids = list(dict.fromkeys(controller_ids))
    found = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == CONTROLLER)
        )
    }
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise ValidationFailed(
            {"controller_ids": [N_("Collectivité inconnue : %(id)s.", id=i) for i in unknown]}
        )
    return {i: found[i] for i in ids}


def source_of(source_id: int, *, actor: Actor) -> ProcessingActivity:
    require(actor, KEEPER)
    return get_visible(ProcessingActivity, source_id, actor, ProcessingActivity.controller_id)


def _copy_one(source, data: dict, controller: Organisation, *, actor: Actor, now: datetime):
    copy = ProcessingActivity(
        controller=controller,
        status=DRAFT,
        version=1,
        copied_from_id=source.id,
        created_at=now,
        updated_at=now,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    apply(copy, data, list(source.subprocessors))
    db.session.add(copy)
    db.session.flush()
    flagged = rules.newly_flagged([], data["data_categories"])
    if flagged:
        # The processor DPO copying a standard knows its content: a task per copy,
        # but no e-mail per copy to the other processor DPOs.
        special.inform_processor(copy, flagged, actor=actor, now=now, notify=False)
    history.record_version(copy, "copied", None, actor=actor, now=now)
    record(
        "register.copied",
        now=now,
        actor=actor,
        organisation_id=controller.id,
        object_type="processing_activity",
        object_id=copy.id,
        details={"source_id": source.id, "name": copy.name},
    )
    return copy


def copy_to_many(
    source_id: int, controller_ids: list[int], *, actor: Actor, now: datetime
) -> list[ProcessingActivity]:
    """One draft copy per municipality, journaled per copy, in one transaction."""
    source = source_of(source_id, actor=actor)
    targets = check_targets(controller_ids)
    data = copy_payload(snapshot(source))
    copies = [_copy_one(source, data, town, actor=actor, now=now) for town in targets.values()]
    db.session.commit()
    return copies


@dataclass(frozen=True)
class Copied:
    """One line of a long copy's report."""

    controller: str
    siren: str
    activity_id: int
    is_new: bool  # False: an earlier attempt of the same job had made it


def copy_in_batches(
    source_id: int,
    controller_ids: list[int],
    *,
    actor: Actor,
    now: datetime,
    since: datetime,
    batch: int | None = None,
) -> Iterator[Copied]:
    """The worker's copy to many municipalities: committed `batch` by `batch`, so a progress
    page can follow it and an interruption keeps what is done. A retry of the same job (asked
    at `since`) makes no second copy: a municipality that already holds a copy of the source
    made by the same person since then is reported, not copied again."""
    batch = batch or BATCH
    source = source_of(source_id, actor=actor)
    targets = check_targets(controller_ids)
    data = copy_payload(snapshot(source))
    made = dict(
        db.session.execute(
            select(ProcessingActivity.controller_id, ProcessingActivity.id).where(
                ProcessingActivity.copied_from_id == source.id,
                ProcessingActivity.created_by_id == actor.id,
                ProcessingActivity.created_at >= since,
            )
        ).all()
    )
    pending = []
    for done, town in enumerate(targets.values(), start=1):
        if town.id in made:
            pending.append(Copied(town.name, town.siren, made[town.id], False))
        else:
            copy = _copy_one(source, data, town, actor=actor, now=now)
            pending.append(Copied(town.name, town.siren, copy.id, True))
        if len(pending) == batch or done == len(targets):
            db.session.commit()
            yield from pending
            pending = []
