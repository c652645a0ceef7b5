"""Loading audits within the actor's reach, and the contract terms and clocks of an audit."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

import audit as rules_lib
from deadlines import PARIS, Calendar, Deadline, calendar_for
from rgpd_app.audits import rules
from rgpd_app.audits.models import AuditRequest
from rgpd_app.errors import Conflict, DomainError
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible, require, scope
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import contains, ordering, paginate


class AuditRefused(DomainError):
    """A refused audit step; `fields` name what to fix."""

    code = "audit_refused"


def rule_error(err: rules_lib.AuditRuleError) -> AuditRefused:
    """The library's refusal as a domain error (400) with the field it names."""
    return AuditRefused(err.message, code=err.code, fields={err.field or "_form": [err.message]})


def paris_day(instant: datetime):
    return instant.astimezone(PARIS).date()


def terms_for(org: Organisation) -> rules_lib.ContractTerms:
    competitors = rules.competitors_from_setting(
        current_app.config.get("RGPD_AUDIT_COMPETITORS", "")
    )
    return rules_lib.ContractTerms.from_mapping(org.period_lengths(), competitors=competitors)


def calendar_of(org: Organisation) -> Calendar:
    return calendar_for(org.calendar_code)


@dataclass(frozen=True)
class AuditClocks:
    """The running clocks of one audit, computed from its events (DESIGN §3)."""

    refusal: Deadline
    observations: Deadline | None
    corrective: Deadline | None


def clocks_for(item: AuditRequest) -> AuditClocks:
    org = item.organisation
    terms, calendar = terms_for(org), calendar_of(org)
    refusal = rules_lib.refusal_deadline(paris_day(item.notice_received_at), terms, calendar)
    observations = corrective = None
    if item.report_received_at is not None:
        received_on = paris_day(item.report_received_at)
        observations = rules_lib.observations_deadline(received_on, terms, calendar)
        corrective = rules_lib.corrective_deadline(received_on, terms, calendar)
    return AuditClocks(refusal, observations, corrective)


def get_audit(audit_id: int, *, actor: Actor, roles=rules.READERS) -> AuditRequest:
    """403 for a role without access, 404 for an audit of a municipality the actor cannot see."""
    require(actor, *roles)
    return get_visible(AuditRequest, audit_id, actor)


def check_version(item: AuditRequest, version: int | None) -> None:
    if version is not None and version != item.version:
        raise Conflict(
            N_("Cet audit a été modifié entre-temps par quelqu'un d'autre : rechargez la page."),
            code="stale_version",
        )


def audits_query(actor: Actor, *, state: str = "", organisation_id: int | None = None):
    require(actor, *rules.READERS)
    stmt = scope(select(AuditRequest), AuditRequest.organisation_id, actor)
    if state:
        stmt = stmt.where(AuditRequest.state == state)
    if organisation_id:
        stmt = stmt.where(AuditRequest.organisation_id == organisation_id)
    return stmt


# The list's sortable columns; the default: the latest audit days first.
SORTS = {
    "reference": AuditRequest.id,  # AUD-00042: the reference is the id
    "organisation": Organisation.name,
    "start": AuditRequest.start_on,
    "state": AuditRequest.state,
}
DEFAULT_SORT = "-start"


def list_audits(
    *,
    actor: Actor,
    now: datetime,
    state: str = "",
    q: str = "",
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 25,
) -> tuple[list[AuditRequest], int]:
    """Audits the actor sees; `q` matches the municipality's name or the reference."""
    stmt = audits_query(actor, state=state).join(
        Organisation, Organisation.id == AuditRequest.organisation_id
    )
    if q:
        number = q.upper().removeprefix("AUD-").lstrip("0")
        matches = contains(Organisation.name, q)
        if number.isdigit() and len(number) <= 9:
            matches = matches | (AuditRequest.id == int(number))
        stmt = stmt.where(matches)
    result = paginate(
        stmt,
        page=page,
        per_page=per_page,
        order_by=ordering(sort, SORTS, DEFAULT_SORT, AuditRequest.id),
    )
    return result.items, result.total
