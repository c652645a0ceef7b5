"""The export rows of many entries without building ORM objects.

`entries.activity_to_row` stays the one definition of a row; here it reads light records made
from plain SELECTs: the entries `BATCH` at a time (a server-side cursor on PostgreSQL), then one
SELECT … IN per child list and batch. Building 400,000 ORM child objects took two thirds of a
45,000-entry CSV export (bench/register.py); these records cost a fraction of that.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import Select, select

from rgpd_app.extensions import db
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.entries import activity_to_row
from rgpd_app.register.models import (
    DataCategory,
    ProcessingActivity,
    Purpose,
    SecurityMeasure,
    Subprocessor,
    Transfer,
    processing_subprocessor,
)

PA = ProcessingActivity
LINK = processing_subprocessor.c
COLUMNS = (
    PA.id, PA.name, PA.status, PA.version, PA.description, PA.legal_bases, PA.data_subjects,
    PA.recipients, PA.estimated_persons, PA.operations, PA.operations_detail,
    PA.security_notes, PA.updated_at, Organisation.siren.label("controller_siren"),
    Organisation.name.label("controller_name"),
)  # fmt: skip


class Controller(NamedTuple):
    siren: str
    name: str


class TransferRecord(NamedTuple):
    country: str
    recipient: str
    safeguard: str
    safeguard_documentation: str
    consent_by: str
    consent_on: object
    consent_reference: str

    @property
    def has_consent(self) -> bool:  # as Transfer.has_consent
        return bool(self.consent_by and self.consent_on and self.consent_reference)


class Record:
    """What activity_to_row reads of an activity."""

    __slots__ = ("id", "name", "status", "version", "description", "legal_bases", "data_subjects",
                 "recipients", "estimated_persons", "operations", "operations_detail",
                 "security_notes", "updated_at", "controller", "purposes", "data_categories",
                 "transfers", "measures", "subprocessors")  # fmt: skip

    def __init__(self, row, children: dict):
        for key in self.__slots__[:13]:
            setattr(self, key, getattr(row, key))
        self.controller = Controller(row.controller_siren, row.controller_name)
        for key, grouped in children.items():
            setattr(self, key, grouped.get(row.id, ()))


_QUERIES = {
    "purposes": (select(Purpose.activity_id, Purpose.label),
                 Purpose.activity_id, Purpose.position),
    "data_categories": (select(DataCategory.activity_id, DataCategory.label, DataCategory.purpose,
                               DataCategory.retention_value, DataCategory.retention_unit,
                               DataCategory.retention_criterion, DataCategory.is_special,
                               DataCategory.is_criminal),
                        DataCategory.activity_id, DataCategory.position),
    "transfers": (select(Transfer.activity_id, Transfer.country, Transfer.recipient,
                         Transfer.safeguard, Transfer.safeguard_documentation,
                         Transfer.consent_by, Transfer.consent_on, Transfer.consent_reference),
                  Transfer.activity_id, Transfer.position),
    "measures": (select(SecurityMeasure.activity_id, SecurityMeasure.family,
                        SecurityMeasure.description),
                 SecurityMeasure.activity_id, SecurityMeasure.position),
    "subprocessors": (select(LINK.activity_id, Subprocessor.legal_name)
                      .join(Subprocessor, Subprocessor.id == LINK.subprocessor_id),
                      LINK.activity_id, Subprocessor.legal_name),
}  # fmt: skip


def _children(ids: list[int]) -> dict[str, dict[int, list]]:
    found: dict[str, dict[int, list]] = {}
    for key, (stmt, parent, order) in _QUERIES.items():
        grouped: dict[int, list] = defaultdict(list)
        for row in db.session.execute(stmt.where(parent.in_(ids)).order_by(parent, order)):
            grouped[row[0]].append(TransferRecord(*row[1:]) if key == "transfers" else row)
        found[key] = grouped
    return found


def flat_rows(stmt: Select, *, batch: int) -> Iterator[dict]:
    """`activity_to_row` of every entry `stmt` (a select of ProcessingActivity joined to its
    Organisation, filtered and ordered) finds."""
    result = db.session.execute(stmt.with_only_columns(*COLUMNS).execution_options(yield_per=batch))
    try:
        for part in result.partitions():
            children = _children([row.id for row in part])
            for row in part:
                yield activity_to_row(Record(row, children))
    finally:  # also when the reader stops early: close the cursor
        result.close()
