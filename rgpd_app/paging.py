"""One page of a query: what every list (pages and API) returns."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from rgpd_app.extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int
    # A list counted only up to a cap (`count_upto`): `total` is then that cap and the list
    # holds more ("plus de 1000 résultats"); `has_next` says whether a next page exists.
    is_capped: bool = False
    next_exists: bool | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        if self.next_exists is not None:
            return self.next_exists
        return self.page < self.pages


def count_rows(stmt: Select) -> int:
    """How many rows `stmt` returns (its ordering left out of the count)."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def capped_count(stmt: Select, cap: int) -> Select:
    """SELECT of how many rows `stmt` returns, counted up to cap + 1 (see `count_upto`)."""
    counted = stmt.order_by(None).limit(cap + 1).subquery()
    return select(func.count()).select_from(counted).correlate(None)


def count_upto(stmt: Select, cap: int) -> tuple[int, bool]:
    """How many rows `stmt` returns, counted up to `cap`: (the count, False), or (cap, True)
    when there are more. Reading cap + 1 rows costs the same however long the list is; an
    exact count of 45,000 entries is most of a list page's database time (bench/web.py)."""
    return capped(db.session.scalar(capped_count(stmt, cap)) or 0, cap)


def capped(found: int, cap: int) -> tuple[int, bool]:
    return (cap, True) if found > cap else (found, False)


def paginate(stmt: Select, *, page: int, per_page: int, order_by=()) -> Page:
    """Run `stmt` for one page (1-based) and count the whole result."""
    total = count_rows(stmt)
    items = db.session.scalars(
        stmt.order_by(*order_by).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(list(items), total, page, per_page)


def sort_key(sort: str, allowed, default: str) -> str:
    """A list's `sort` argument checked against its sortable columns: a key, "-" in front for
    descending; anything else (a forged URL) falls back to `default`."""
    return sort if sort.removeprefix("-") in allowed else default


def ordering(sort: str, columns: dict, default: str, tiebreak) -> list:
    """ORDER BY for `sort` over `columns` (key → column or tuple of columns), ended by
    `tiebreak` (the id, in the same direction) so that paging never repeats or skips a row."""
    sort = sort_key(sort, columns, default)
    chosen = columns[sort.removeprefix("-")]
    chosen = chosen if isinstance(chosen, tuple) else (chosen,)
    descending = sort.startswith("-")
    return [c.desc() if descending else c.asc() for c in (*chosen, tiebreak)]


def contains(column, text: str):
    """`column` contains `text`, case ignored, the LIKE wildcards in `text` taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
