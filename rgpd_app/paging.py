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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def count_rows(stmt: Select) -> int:
    """How many rows `stmt` returns (its ordering left out of the count)."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


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
