"""Every saved state of an entry: who, when, what changed (field by field), and the
register as it stood on a past date."""

import json
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import func, select

from deadlines.periods import end_of_day_utc
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require, scope
from rgpd_app.paging import Page, paginate
from rgpd_app.register import changes
from rgpd_app.register.access import READERS
from rgpd_app.register.entries import snapshot
from rgpd_app.register.models import ProcessingActivity, ProcessingVersion


def record_version(
    activity: ProcessingActivity, action: str, before: dict | None, *, actor, now: datetime
) -> ProcessingVersion:
    """Keep the state just saved (call after the activity's version was bumped). No commit."""
    after = snapshot(activity)
    changed = [asdict(c) for c in changes.diff(before, after)]
    version = ProcessingVersion(
        activity_id=activity.id,
        controller_id=activity.controller_id,
        version=activity.version,
        action=action,
        changed_at=now,
        changed_by_id=actor.id if actor else None,
        changed_by_email=actor.user.email if actor else "",
        changed_fields=json.dumps(changed, ensure_ascii=False),
        snapshot=json.dumps(after, ensure_ascii=False, sort_keys=True),
    )
    db.session.add(version)
    return version


def list_history(
    activity_id: int, *, actor: Actor, now: datetime, page: int = 1, per_page: int = 25
) -> tuple[ProcessingActivity, Page]:
    """Versions newest first, each with its field-by-field changes. The read is journaled."""
    require(actor, *READERS)
    activity = get_visible(ProcessingActivity, activity_id, actor, ProcessingActivity.controller_id)
    result = paginate(
        select(ProcessingVersion).where(ProcessingVersion.activity_id == activity.id),
        page=page,
        per_page=per_page,
        order_by=(ProcessingVersion.version.desc(), ProcessingVersion.id.desc()),
    )
    record(
        "register.history_read",
        now=now,
        actor=actor,
        organisation_id=activity.controller_id,
        object_type="processing_activity",
        object_id=activity.id,
        details={"page": page},
    )
    db.session.commit()
    return activity, result


def as_of(activity_id: int, on: date, *, actor: Actor, now: datetime) -> dict | None:
    """The entry as it stood at the end of `on` (Paris time); None if it did not exist yet."""
    require(actor, *READERS)
    activity = get_visible(ProcessingActivity, activity_id, actor, ProcessingActivity.controller_id)
    version = db.session.scalars(
        select(ProcessingVersion)
        .where(
            ProcessingVersion.activity_id == activity.id,
            ProcessingVersion.changed_at < end_of_day_utc(on),
        )
        .order_by(ProcessingVersion.version.desc(), ProcessingVersion.id.desc())
        .limit(1)
    ).first()
    record(
        "register.history_read",
        now=now,
        actor=actor,
        organisation_id=activity.controller_id,
        object_type="processing_activity",
        object_id=activity.id,
        details={"on": on.isoformat()},
    )
    db.session.commit()
    return json.loads(version.snapshot) if version else None


def register_as_of(
    on: date, *, actor: Actor, now: datetime, controller_id: int | None = None, page: int = 1,
    per_page: int = 25,
) -> Page:  # fmt: skip
    """The register (visible entries) as it stood at the end of `on`: one snapshot each."""
    require(actor, *READERS)
    latest = scope(
        select(
            ProcessingVersion.activity_id, func.max(ProcessingVersion.version).label("version")
        ).where(ProcessingVersion.changed_at < end_of_day_utc(on)),
        ProcessingVersion.controller_id,
        actor,
    )
    if controller_id:
        latest = latest.where(ProcessingVersion.controller_id == controller_id)
    latest = latest.group_by(ProcessingVersion.activity_id).subquery()
    stmt = select(ProcessingVersion).join(
        latest,
        (ProcessingVersion.activity_id == latest.c.activity_id)
        & (ProcessingVersion.version == latest.c.version),
    )
    result = paginate(stmt, page=page, per_page=per_page, order_by=(ProcessingVersion.activity_id,))
    snapshots = [json.loads(v.snapshot) for v in result.items]
    record(
        "register.history_read",
        now=now,
        actor=actor,
        organisation_id=controller_id,
        object_type="register",
        details={"on": on.isoformat(), "page": page},
    )
    db.session.commit()
    return Page(snapshots, result.total, result.page, result.per_page)
