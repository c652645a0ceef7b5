"""What one municipality sees: the sub-processors processing its data, their chain and status."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from rgpd_app.errors import NotFound
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.organisations.models import Organisation
from rgpd_app.register import countries
from rgpd_app.register import services as register
from rgpd_app.register.access import READERS
from rgpd_app.register.choices import OPERATIONS, SAFEGUARDS
from rgpd_app.register.models import Subprocessor
from rgpd_app.subprocessors.catalogue import all_edges, chain_of
from rgpd_app.subprocessors.models import NoticeRecipient, SubprocessorNotice
from rgpd_app.subprocessors.notices import rules as notice_rules


@dataclass(frozen=True)
class Row:
    """One line of a municipality's list: level 0 = used directly by the processor."""

    level: int
    subprocessor: Subprocessor
    relied_on_by: str
    processings: tuple[str, ...]
    authorisation: str

    @property
    def authorisation_label(self) -> str:
        return notice_rules.AUTHORISATIONS[self.authorisation]

    @property
    def countries_text(self) -> str:
        places = json.loads(self.subprocessor.processing_countries or "[]")
        return ", ".join(countries.name(c) for c in places)

    @property
    def activities_text(self) -> str:
        codes = json.loads(self.subprocessor.activities or "[]")
        return ", ".join(OPERATIONS.get(c, c) for c in codes)

    @property
    def mechanism_text(self) -> str:
        return SAFEGUARDS.get(self.subprocessor.transfer_mechanism, "")


def get_municipality(org_id: int, *, actor: Actor) -> Organisation:
    require(actor, *READERS)
    org = get_visible(Organisation, org_id, actor, column=Organisation.id)
    if org.is_processor:
        raise NotFound()
    return org


def authorisations(org_id: int) -> dict[int, str]:
    """Sub-processor id → authorisation code from the latest notice sent to the municipality."""
    stmt = (
        select(SubprocessorNotice.subprocessor_id, NoticeRecipient)
        .join(NoticeRecipient, NoticeRecipient.notice_id == SubprocessorNotice.id)
        .where(NoticeRecipient.organisation_id == org_id)
        .order_by(SubprocessorNotice.sent_at, SubprocessorNotice.id)
    )
    found: dict[int, str] = {}
    for sub_id, recipient in db.session.execute(stmt):
        found[sub_id] = notice_rules.authorisation(
            recipient.state, recipient.objected_at is not None
        )
    return found


def rows_for(org: Organisation) -> list[Row]:
    linked = register.subprocessor_uses(org.id)
    subs = db.session.scalars(
        select(Subprocessor).where(Subprocessor.id.in_(linked)).order_by(Subprocessor.legal_name)
    )
    status = authorisations(org.id)
    edges = all_edges()
    rows: list[Row] = []
    for sub in subs:
        unknown = notice_rules.UNKNOWN
        rows.append(Row(0, sub, "", tuple(linked[sub.id]), status.get(sub.id, unknown)))
        for depth, child, parent in chain_of(sub.id, edges):
            rows.append(Row(depth, child, parent.legal_name, (), status.get(child.id, unknown)))
    return rows


def municipality_subprocessors(org_id: int, *, actor: Actor, now: datetime, fmt: str = "") -> tuple:
    """(municipality, rows) for its page or an export; the read or export is journaled."""
    org = get_municipality(org_id, actor=actor)
    rows = rows_for(org)
    record(
        "subprocessor.municipality_exported" if fmt else "subprocessor.municipality_read",
        now=now,
        actor=actor,
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
        details={"rows": len(rows), **({"format": fmt} if fmt else {})},
    )
    db.session.commit()
    return org, rows
