"""The worker's purge of requesters' identities once the retention after closing has passed."""

from datetime import datetime

from sqlalchemy import select

from deadlines import PARIS
from rgpd_app.extensions import db
from rgpd_app.requests import rules
from rgpd_app.requests.models import SubjectRequest


def purge_identities(now: datetime) -> int:
    """Erase the identity and words of every request closed longer than its retention.

    Idempotent: a purged request has `identity_purged_at` and is not selected again.
    """
    today = now.astimezone(PARIS).date()
    stmt = select(SubjectRequest).where(
        SubjectRequest.closed_at.is_not(None), SubjectRequest.identity_purged_at.is_(None)
    )
    purged = 0
    for item in db.session.scalars(stmt.order_by(SubjectRequest.id)).all():
        closed_on = item.closed_at.astimezone(PARIS).date()
        if not rules.identity_purge_due(closed_on, item.retention_months, today):
            continue
        item.requester_identity, item.details, item.identity_purged_at = None, None, now
        item.journal(
            "identity_purged",
            now=now,
            actor=None,
            closed_on=closed_on.isoformat(),
            retention_months=item.retention_months,
        )
        purged += 1
    db.session.commit()
    return purged
