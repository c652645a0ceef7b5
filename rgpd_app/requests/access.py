"""Loading requests within the actor's reach, and journaling each step."""

import re
from datetime import datetime

from sqlalchemy import or_, select

from rgpd_app.errors import Conflict, DomainError, Forbidden
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import get_visible, require, scope
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import Page, ordering, paginate
from rgpd_app.requests import rules
from rgpd_app.requests.models import SubjectRequest
from rgpd_app.validation import id_value


class RequestRefused(DomainError):
    code = "request_refused"


def refuse(found: rules.Refusal, *, conflict: bool = True) -> DomainError:
    if conflict:
        return Conflict(found.message, code=found.code)
    return RequestRefused(found.message, code=found.code, fields={found.field: [found.message]})


def get_request(request_id: int, *, actor: Actor, roles=rules.READERS) -> SubjectRequest:
    """403 for a role without access, 404 for a request of a municipality not visible."""
    require(actor, *roles)
    return get_visible(SubjectRequest, request_id, actor)


def require_processor(actor: Actor, roles) -> None:
    require(actor, *roles)
    if not actor.is_processor_staff:
        raise Forbidden()


def require_municipality(actor: Actor, roles) -> None:
    require(actor, *roles)
    if actor.user.organisation.is_processor:
        raise Forbidden()


def requests_query(actor: Actor, filters: dict | None = None):
    require(actor, *rules.READERS)
    filters = filters or {}
    stmt = scope(select(SubjectRequest), SubjectRequest.organisation_id, actor)
    for name in ("state", "kind", "origin", "organisation_id"):
        if filters.get(name):
            stmt = stmt.where(getattr(SubjectRequest, name) == filters[name])
    return stmt


SORTS = {
    "received": SubjectRequest.received_at,
    "organisation": Organisation.name,
    "kind": SubjectRequest.kind,
    "state": SubjectRequest.state,
}
DEFAULT_SORT = "-received"
# A request's reference as typed: "DEM-00042", "dem42", "42".
REFERENCE = re.compile(r"(?:DEM-?)?0*(\d{1,10})", re.IGNORECASE)


def list_requests(
    *,
    actor: Actor,
    now: datetime,
    filters: dict | None = None,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """Requests the actor may see, newest first by default (no identity: nothing to journal)."""
    stmt = requests_query(actor, filters).join(
        Organisation, Organisation.id == SubjectRequest.organisation_id
    )
    text = (filters or {}).get("q", "").strip()
    if text:
        matches = [Organisation.name.ilike(f"%{text}%")]
        number = REFERENCE.fullmatch(text)
        request_id = id_value(number[1]) if number else None
        if request_id is not None:
            matches.append(SubjectRequest.id == request_id)
        stmt = stmt.where(or_(*matches))
    order = ordering(sort, SORTS, DEFAULT_SORT, SubjectRequest.id)
    return paginate(stmt, page=page, per_page=per_page, order_by=order)
