"""The register list: search, filters (controller, status, special data, transfers,
pending consent) and paging, without loading the entries' child lists."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Integer, Select, bindparam, literal, or_, select

from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import require, scope, scope_to, visible_controller_ids
from rgpd_app.organisations.models import CONTROLLER, Organisation
from rgpd_app.paging import (
    Page,
    capped,
    capped_count,
    count_rows,
    count_upto,
    ordering,
    sort_key,
)
from rgpd_app.register.access import READERS
from rgpd_app.register.choices import STATUSES
from rgpd_app.register.models import DataCategory, ProcessingActivity, Subprocessor, Transfer

PA = ProcessingActivity

IS_SENSITIVE = or_(DataCategory.is_special, DataCategory.is_criminal)
IS_PENDING = or_(
    Transfer.consent_by == "", Transfer.consent_on.is_(None), Transfer.consent_reference == ""
)
# A page's flags, probed on the children's indexes for its 25 rows. "OFFSET 0" keeps
# PostgreSQL from turning each EXISTS into a hashed subplan that reads every data category
# and transfer of the register (1.7 ms → 0.4 ms for the page's query, bench/web.py).
HAS_SPECIAL = (
    select(DataCategory.id)
    .where(DataCategory.activity_id == PA.id, IS_SENSITIVE)
    .offset(0)
    .exists()
)
HAS_TRANSFERS = select(Transfer.id).where(Transfer.activity_id == PA.id).offset(0).exists()
HAS_PENDING = (
    select(Transfer.id).where(Transfer.activity_id == PA.id, IS_PENDING).offset(0).exists()
)
SPECIAL_IDS = select(DataCategory.activity_id).where(IS_SENSITIVE)
PENDING_IDS = select(Transfer.activity_id).where(IS_PENDING)


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


def filtered(stmt: Select, filters: Filters, dialect: str | None = None) -> Select:
    """`stmt` on ProcessingActivity restricted by the list's filters (list page and exports)."""
    if filters.q:
        like = f"%{filters.q.lower()}%"
        if (dialect or db.session.get_bind().dialect.name) == "sqlite":
            # SQLite's LIKE ignores ASCII case, which is all its lower() folds: same result,
            # half the time (no function call per row).
            stmt = stmt.where(or_(PA.name.like(like), PA.description.like(like)))
        else:
            stmt = stmt.where(or_(PA.name.ilike(like), PA.description.ilike(like)))
    if filters.controller_id:
        stmt = stmt.where(PA.controller_id == filters.controller_id)
    if filters.status in STATUSES:
        stmt = stmt.where(PA.status == filters.status)
    # As filters, IN (the few flagged children) beats a probe per entry (bench/register.py).
    if filters.special:
        stmt = stmt.where(PA.id.in_(SPECIAL_IDS))
    if filters.transfers:
        stmt = stmt.where(PA.id.in_(select(Transfer.activity_id)))
    if filters.pending_consent:
        stmt = stmt.where(PA.id.in_(PENDING_IDS))
    return stmt


# The list's sortable columns. The default, by municipality then name, is a total order (two
# municipalities may share a name) that the indexes on organisation.name and
# processing_activity(controller_id, name) deliver without sorting: a page is read, not sorted.
SORTS = {
    "controller": (Organisation.name, Organisation.id, PA.name),
    "name": (PA.name, Organisation.name),
    "status": (PA.status, Organisation.name, PA.name),
    "updated": (PA.updated_at,),
}
DEFAULT_SORT = "controller"
# The list page counts up to this many entries and says "plus de 1000" past it: exact counts
# of the whole register were most of the page's database time (bench/web.py).
PAGE_COUNT_CAP = 1000
ORDER = (*SORTS[DEFAULT_SORT], PA.id)  # the exports' order


def list_activities(
    filters: Filters,
    *,
    actor: Actor,
    now: datetime,
    page: int = 1,
    per_page: int = 25,
    sort: str = DEFAULT_SORT,
    count_cap: int | None = None,
) -> Page:
    """Visible entries in the `sort` order (default: by municipality then name); each row says
    whether it holds special data, transfers, transfers pending consent.

    The page's ids are found first on the indexes alone, in a subquery; the flags are then
    computed for those rows only (a "deferred join": the last page of 45,000 entries costs what
    the first does), all in one round trip. One row past the page says whether a next page
    exists. `count_cap`: count the list only up to it (the list page: "plus de 1000"); None
    counts exactly (the API's `total`)."""
    require(actor, *READERS)
    sort = sort_key(sort, SORTS, DEFAULT_SORT)
    seen = visible_controller_ids(actor)
    dialect = db.session.get_bind().dialect.name
    ids_stmt, stmt = _statements(filters, sort, seen, count_cap, dialect)
    offset = (page - 1) * per_page
    rows = db.session.execute(stmt, {"page_offset": offset, "page_rows": per_page + 1}).all()
    if count_cap is None:
        total, is_capped = count_rows(ids_stmt), False
    elif rows:
        total, is_capped = capped(rows[0].listed, count_cap)
    else:  # past the last page: counted on its own
        total, is_capped = count_upto(ids_stmt, count_cap)
    items = [
        Summary(
            r.id, r.controller_id, r.controller_name, r.name, r.status, r.version,
            bool(r.has_special), bool(r.has_transfers), bool(r.has_pending_consent),
            r.updated_at.isoformat(),
        )
        for r in rows[:per_page]
    ]  # fmt: skip
    return Page(items, total, page, per_page, is_capped=is_capped, next_exists=len(rows) > per_page)


@lru_cache(maxsize=256)
def _statements(filters: Filters, sort: str, seen, count_cap: int | None, dialect: str):
    """The list's id query and page query for these filters, sort and municipalities seen
    (None: all), built once: a statement built again cost its construction and its cache key
    on every page (SQLAlchemy keeps the key of a statement it has seen). The page's offset and
    size are bound at execution (`page_offset`, `page_rows`)."""
    ids_stmt = filtered(scope_to(select(PA.id), PA.controller_id, seen), filters, dialect)
    order = ordering(sort, SORTS, DEFAULT_SORT, PA.id)
    # Sorted on the municipality's name: joined for the page's ids, not for the count (every
    # entry has its municipality), which reads the entries' index alone (0.22 → 0.16 ms).
    page_ids = (
        ids_stmt.join(Organisation, Organisation.id == PA.controller_id)
        .order_by(*order)
        .offset(bindparam("page_offset", type_=Integer))
        .limit(bindparam("page_rows", type_=Integer))
        .correlate(None)  # its own tables, not the outer query's
    )
    # The capped count rides along with the rows (PostgreSQL runs it once): one round trip.
    listed = (
        literal(0) if count_cap is None else capped_count(ids_stmt, count_cap).scalar_subquery()
    )
    stmt = (
        select(
            PA.id, PA.controller_id, Organisation.name.label("controller_name"), PA.name,
            PA.status, PA.version, PA.updated_at, HAS_SPECIAL.label("has_special"),
            HAS_TRANSFERS.label("has_transfers"), HAS_PENDING.label("has_pending_consent"),
            listed.label("listed"),
        )
        .join(Organisation, Organisation.id == PA.controller_id)
        .where(PA.id.in_(page_ids))
        .order_by(*order)
    )  # fmt: skip
    return ids_stmt, stmt


def controller_choices(*, actor: Actor) -> list:
    """Municipalities the actor sees (processor staff: all; others: their own), as (id, name)
    rows: the list page offers all 1,500 of them, and whole objects would cost 5 ms more."""
    stmt = (
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == CONTROLLER)
        .order_by(Organisation.name, Organisation.id)
    )
    return list(db.session.execute(scope(stmt, Organisation.id, actor)))


def subprocessor_choices() -> list[Subprocessor]:
    return list(db.session.scalars(select(Subprocessor).order_by(Subprocessor.legal_name)))
