"""The register list: search, filters (controller, status, special data, transfers,
pending consent) and paging, without loading the entries' child lists."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select

from rgpd_app.extensions import db
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.paging import Page
from rgpd_app.register.access import READERS
from rgpd_app.register.choices import STATUSES
from rgpd_app.register.models import DataCategory, ProcessingActivity, Transfer
from rgpd_app.subprocessors.models import Subprocessor
from rgpd_app.tenancy import Actor, require, scope

PA = ProcessingActivity

HAS_SPECIAL = exists().where(
    DataCategory.activity_id == PA.id, or_(DataCategory.is_special, DataCategory.is_criminal)
)
HAS_TRANSFERS = exists().where(Transfer.activity_id == PA.id)
HAS_PENDING = exists().where(
    Transfer.activity_id == PA.id,
    or_(Transfer.consent_by == "", Transfer.consent_on.is_(None), Transfer.consent_reference == ""),
)


@dataclass(frozen=True)
class Filters:
    q: str = ""
    controller_id: int | None = None
    status: str = ""
    special: bool = False
    transfers: bool = False
    pending_consent: bool = False

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None, False)}


@dataclass(frozen=True)
class Summary:
    id: int
    controller_id: int
    controller_name: str
    name: str
    status: str
    version: int
    has_special: bool
    has_transfers: bool
    has_pending_consent: bool
    updated_at: str


def list_activities(
    filters: Filters, *, actor: Actor, now: datetime, page: int = 1, per_page: int = 25
) -> Page:
    """Visible entries, by municipality then name; each row says whether it holds special data,
    transfers, transfers pending consent."""
    require(actor, *READERS)
    stmt = select(
        PA.id, PA.controller_id, Organisation.name.label("controller_name"), PA.name, PA.status,
        PA.version, PA.updated_at, HAS_SPECIAL.label("has_special"),
        HAS_TRANSFERS.label("has_transfers"), HAS_PENDING.label("has_pending_consent"),
    ).join(Organisation, Organisation.id == PA.controller_id)  # fmt: skip
    stmt = scope(stmt, PA.controller_id, actor)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(PA.name).like(like), func.lower(PA.description).like(like))
        )
    if filters.controller_id:
        stmt = stmt.where(PA.controller_id == filters.controller_id)
    if filters.status in STATUSES:
        stmt = stmt.where(PA.status == filters.status)
    if filters.special:
        stmt = stmt.where(HAS_SPECIAL)
    if filters.transfers:
        stmt = stmt.where(HAS_TRANSFERS)
    if filters.pending_consent:
        stmt = stmt.where(HAS_PENDING)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.order_by(Organisation.name, PA.name, PA.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [
        Summary(
            r.id, r.controller_id, r.controller_name, r.name, r.status, r.version,
            bool(r.has_special), bool(r.has_transfers), bool(r.has_pending_consent),
            r.updated_at.isoformat(),
        )
        for r in rows
    ]  # fmt: skip
    return Page(items, total or 0, page, per_page)


def controller_choices(*, actor: Actor) -> list[Organisation]:
    """Municipalities the actor sees (processor staff: all; others: their own)."""
    stmt = select(Organisation).where(Organisation.kind == CONTROLLER).order_by(Organisation.name)
    return list(db.session.scalars(scope(stmt, Organisation.id, actor)))


def subprocessor_choices() -> list[Subprocessor]:
    return list(db.session.scalars(select(Subprocessor).order_by(Subprocessor.legal_name)))
