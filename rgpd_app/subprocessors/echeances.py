"""Running objection windows in "Mes échéances", for the processor's DPO and the town's DPO."""

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from rgpd_app.clocks.services import Echeance, echeance_from_deadline
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope
from rgpd_app.subprocessors.models import NoticeRecipient
from rgpd_app.subprocessors.notices import rules as notice_rules
from rgpd_app.subprocessors.notices.text import notice_title
from rgpd_app.subprocessors.notices.windows import calendar_of


def window_echeances(actor: Actor, now: datetime) -> list[Echeance]:
    """One échéance per open window the actor must watch (the processor's DPO: all of them;
    a municipality's DPO: its own)."""
    is_processor = actor.is_processor_staff and actor.has(roles.PROCESSOR_DPO)
    if not (is_processor or actor.has(roles.CONTROLLER_DPO)):
        return []
    stmt = select(NoticeRecipient).where(
        NoticeRecipient.state == notice_rules.OPEN, NoticeRecipient.window_ends_on.is_not(None)
    )
    stmt = scope(stmt, NoticeRecipient.organisation_id, actor).order_by(NoticeRecipient.id)
    items = []
    for recipient in db.session.scalars(stmt):
        org = recipient.organisation
        # Silence never consents to a transfer outside the EU/EEA (annex 4.2): say what is awaited.
        what = (
            "Accord écrit requis (transfert hors UE)"
            if recipient.notice.is_transfer_outside_eea
            else "Objection possible"
        )
        deadline = notice_rules.window(
            recipient.received_on, org.objection_days, calendar_of(recipient)
        )
        items.append(
            echeance_from_deadline(
                deadline,
                uid=f"subprocessor-notice-{recipient.id}-window-{deadline.deadline.isoformat()}",
                kind="subprocessor-window",
                title=f"{what} : {notice_title(recipient.notice)}",
                organisation_name=org.name,
                url=url_for(
                    "subprocessor_notices.recipient",
                    notice_id=recipient.notice_id,
                    recipient_id=recipient.id,
                ),
                organisation_id=org.id,
            )
        )
    return items
