"""What an /api/v1 operation says about itself, written on its view: `@operation(...)`.

rgpd_app.openapi builds the OpenAPI document from these marks, from the routes (paths and path
parameters) and from the marshmallow schemas named here (request bodies, query strings and
answers), so the description cannot drift from the code: a route without a mark fails a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema


@dataclass(frozen=True)
class Page:
    """A page of `item`: {"items": [...], "total", "page", "per_page"}, with RFC 8288 links."""

    item: type[Schema] | Schema
    extra: dict[str, Any] = field(default_factory=dict)  # more top-level properties


@dataclass(frozen=True)
class Binary:
    """A file answer (an archive, a PDF, a spreadsheet…)."""

    media_types: tuple[str, ...]
    description: str = "Le fichier"
    json: Any = None  # the schema of its application/json variant (an export's rows), if any


@dataclass(frozen=True)
class Param:
    """A query-string (or header) parameter the view reads by hand (a Schema in `query=` is
    preferred for a query string)."""

    name: str
    kind: str = "string"  # JSON Schema type
    description: str = ""
    required: bool = False
    enum: tuple[str, ...] | None = None
    fmt: str | None = None  # JSON Schema format (date, date-time…)
    minimum: int | None = None
    maximum: int | None = None
    where: str = "query"  # or "header"

    def schema(self) -> dict:
        schema: dict[str, Any] = {"type": self.kind}
        for key, value in (
            ("enum", list(self.enum) if self.enum else None),
            ("format", self.fmt),
            ("minimum", self.minimum),
            ("maximum", self.maximum),
        ):
            if value is not None:
                schema[key] = value
        return schema


PAGING = (
    Param("page", "integer", "Numéro de page (1 par défaut)", minimum=1),
    Param("per_page", "integer", "Éléments par page (50 par défaut, 200 au plus)", minimum=1),
)


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    description: str = ""
    body: Any = None  # an Input schema (class or instance), or a JSON Schema dict
    form: bool = False  # the body is multipart/form-data (an upload), not JSON
    media: str | None = None  # another media type of the body (raw bytes: a JSON Schema dict)
    response: Any = None  # a Schema, Page, Binary, a JSON Schema dict; None: 204 No Content
    status: int = 200
    query: Any = ()  # a Schema whose fields are the query parameters, or Params
    errors: tuple[int, ...] = ()  # statuses beyond the defaults of rgpd_app.openapi
    accepted: bool = False  # may answer 202 with an export job queued for the worker
    example: Any = None  # an example request body
    response_example: Any = None
    public: bool = False  # no token needed


def operation(summary: str, *, tag: str, **options):
    """Mark a view as a documented /api/v1 operation (put it under the route decorator)."""
    described = Operation(summary, tag, **options)

    def mark(view):
        view.openapi = described
        return view

    return mark
