"""The demo's live cases (`rgpd_app.demo.cases`), found by what the journeys need: the demo
builds every one of them, so a journey that finds none fails instead of making its own.

Every function runs inside the demo app's context (`demo_server.run(lambda: find_x(now))`).
"""

from sqlalchemy import select

from rgpd_app.demo.cases import (  # noqa: F401  (re-exported for the journeys)
    ASSISTANCE_QUESTION,
    INSTRUCTOR,
    PROCESSOR_DPO,
    SECURITY_OFFICER,
    SUPPORT,
    town,
)
from rgpd_app.demo.cases import (
    MONTIGNY as TOWN,
)
from rgpd_app.extensions import db

TOWN_DPO = "dpo@montigny.example"


def _first(model, *where):
    found = db.session.scalar(select(model).where(*where).order_by(model.id))
    assert found is not None, f"the demo has no {model.__name__} matching {where}"
    return found


def subprocessor_notice_in_window(now) -> tuple[int, int]:
    """(notice id, recipient id) of a notice the town received and may still answer."""
    from rgpd_app.subprocessors.models import NoticeRecipient
    from rgpd_app.subprocessors.notices import rules as notice_rules

    found = _first(
        NoticeRecipient,
        NoticeRecipient.organisation_id == town(TOWN).id,
        NoticeRecipient.state == notice_rules.OPEN,
    )
    return found.notice_id, found.id


def breach_of_the_town(now) -> int:
    """The breach whose notice went to the town (its 72-hour clock running)."""
    from rgpd_app.breaches.models import BreachNotice

    return _first(BreachNotice, BreachNotice.organisation_id == town(TOWN).id).breach_id


def assistance_request(now) -> int:
    """The town's data-subject request for which its DPO asked the processor's help."""
    from rgpd_app.requests.models import SubjectRequest

    return _first(
        SubjectRequest,
        SubjectRequest.organisation_id == town(TOWN).id,
        SubjectRequest.assistance.has(),
    ).id


def audit_of_the_town(now) -> int:
    """The audit the town announced, its auditor the demo's (Nora Audit)."""
    from rgpd_app.audits.models import AuditRequest

    return _first(AuditRequest, AuditRequest.organisation_id == town(TOWN).id).id


def outside_eu_notice(now) -> tuple[int, int]:
    """(notice id, recipient id) of the town's copy of the change outside the EU."""
    from rgpd_app.subprocessors.models import NoticeRecipient, SubprocessorNotice

    found = _first(
        NoticeRecipient,
        NoticeRecipient.organisation_id == town(TOWN).id,
        NoticeRecipient.notice.has(SubprocessorNotice.is_transfer_outside_eea),
    )
    return found.notice_id, found.id
