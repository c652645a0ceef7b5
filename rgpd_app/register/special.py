"""Art. 9/10 data flagged in an entry: the processor is informed, reinforced security is
raised as a task and the processor DPOs are notified through the outbox (annex 2.1)."""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from rgpd_app.accounts.grants import users_holding
from rgpd_app.accounts.models import User
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.notifications.services import enqueue_email
from rgpd_app.register.choices import REINFORCED_SECURITY
from rgpd_app.register.models import ProcessingActivity, RegisterTask


def processor_dpos(now: datetime) -> list[User]:
    """Enabled accounts holding the processor DPO role at `now`."""
    return users_holding((roles.PROCESSOR_DPO,), now=now)


def inform_processor(
    activity: ProcessingActivity,
    labels: list[str],
    *,
    actor: Actor | None,
    now: datetime,
    notify: bool = True,
) -> RegisterTask | None:
    """Record that the processor was informed, raise the task (one open task per activity)
    and e-mail each processor DPO but the one who flagged it. No commit."""
    for category in activity.data_categories:
        if category.label in labels and category.processor_informed_at is None:
            category.processor_informed_at = now
            category.processor_informed_by_id = actor.id if actor else None
    task = db.session.scalar(
        select(RegisterTask).where(
            RegisterTask.activity_id == activity.id,
            RegisterTask.kind == REINFORCED_SECURITY,
            RegisterTask.done_at.is_(None),
        )
    )
    if task is None:
        task = RegisterTask(
            activity_id=activity.id,
            controller_id=activity.controller_id,
            kind=REINFORCED_SECURITY,
            details=", ".join(labels),
            created_at=now,
        )
        db.session.add(task)
    else:
        known = [d for d in task.details.split(", ") if d]
        task.details = ", ".join(known + [label for label in labels if label not in known])
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/register/{activity.id}"
    context = {
        "activity_name": activity.name,
        "organisation_name": activity.controller.name,
        "categories": labels,
        "flagged_by": actor.user.email if actor else "",
        "link": link,
    }
    for dpo in processor_dpos(now) if notify else ():
        if actor is not None and dpo.id == actor.id:
            continue
        enqueue_email(
            to=dpo.email,
            template="register_special_data",
            context=context,
            organisation_id=activity.controller_id,
            event=("processing_activity", activity.id),
            now=now,
        )
    record(
        "register.special_data_flagged",
        now=now,
        actor=actor,
        organisation_id=activity.controller_id,
        object_type="processing_activity",
        object_id=activity.id,
        details={"categories": labels},
    )
    return task
