"""A standard processing written once and copied to many municipalities at once; each copy
then lives on its own (its own history, its own consents and instructions)."""

from datetime import datetime

from sqlalchemy import select

from rgpd_app.errors import ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.journal.services import record
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.register import history, rules, special
from rgpd_app.register.access import KEEPER
from rgpd_app.register.choices import DRAFT
from rgpd_app.register.entries import apply, editable_view, snapshot
from rgpd_app.register.models import ProcessingActivity
from rgpd_app.tenancy import Actor, get_visible, require

CONSENT_KEYS = ("consent_by", "consent_on", "consent_reference")


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


def copy_to_many(
    source_id: int, controller_ids: list[int], *, actor: Actor, now: datetime
) -> list[ProcessingActivity]:
    """One draft copy per municipality, journaled per copy, in one transaction."""
    require(actor, KEEPER)
    source = get_visible(ProcessingActivity, source_id, actor, ProcessingActivity.controller_id)
    ids = list(dict.fromkeys(controller_ids))
    controllers = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == CONTROLLER)
        )
    }
    unknown = [i for i in ids if i not in controllers]
    if unknown:
        raise ValidationFailed(
            {"controller_ids": [f"Collectivité inconnue : {i}." for i in unknown]}
        )
    data = copy_payload(snapshot(source))
    copies = []
    for controller_id in ids:
        copy = ProcessingActivity(
            controller=controllers[controller_id],
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
            organisation_id=controller_id,
            object_type="processing_activity",
            object_id=copy.id,
            details={"source_id": source.id, "name": copy.name},
        )
        copies.append(copy)
    db.session.commit()
    return copies
