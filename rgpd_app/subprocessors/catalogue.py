"""The catalogue of sub-processors and their chain (annex 4.4): kept by the processor's DPO."""

import json
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select

from rgpd_app.errors import Conflict, DomainError, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import require
from rgpd_app.messages import N_
from rgpd_app.paging import Page, paginate
from rgpd_app.register import countries
from rgpd_app.register.choices import OPERATIONS, SAFEGUARDS
from rgpd_app.register.models import Subprocessor, subprocessor_chain
from rgpd_app.subprocessors import rules

READERS = roles.PROCESSOR_ROLES
EDITOR = roles.PROCESSOR_DPO
FIELDS = (
    "legal_name", "address", "contact", "country", "processing_countries", "activities",
    "contract_start_on", "contract_end_on", "dpa_reference", "dpa_valid_until_on",
    "transfer_mechanism", "transfer_documentation",
)  # fmt: skip


class ChainRefused(DomainError):
    code = "chain_refused"


def require_reader(actor: Actor) -> None:
    require(actor, *READERS)
    if not actor.is_processor_staff:
        raise NotFound()


def require_editor(actor: Actor) -> None:
    require(actor, EDITOR)
    if not actor.is_processor_staff:
        raise NotFound()


def as_values(sub: Subprocessor) -> dict:
    """The entry in input shape (lists decoded), for forms, diffs and notices."""
    values = {name: getattr(sub, name) for name in FIELDS}
    values["processing_countries"] = json.loads(sub.processing_countries or "[]")
    values["activities"] = json.loads(sub.activities or "[]")
    values["id"] = sub.id
    values["is_outside_eea"] = sub.is_outside_eea
    return values


def _clean(data: dict) -> dict:
    data = {name: data.get(name) for name in FIELDS if name in data}
    data["country"] = (data.get("country") or "").strip().upper()
    places = [c.strip().upper() for c in data.get("processing_countries") or [] if c.strip()]
    data["processing_countries"] = list(dict.fromkeys(places))
    data["activities"] = list(dict.fromkeys(data.get("activities") or []))
    for name in ("legal_name", "address", "contact", "dpa_reference", "transfer_documentation"):
        data[name] = (data.get(name) or "").strip()
    data["transfer_mechanism"] = data.get("transfer_mechanism") or ""
    return data


def _check(data: dict) -> None:
    errors = rules.catalogue_errors(
        data,
        known_countries=countries.names(),
        eea=countries.eea(),
        adequacy=countries.adequacy(),
        activities=OPERATIONS,
        mechanisms=SAFEGUARDS,
    )
    clash = select(Subprocessor.id).where(
        func.lower(Subprocessor.legal_name) == data["legal_name"].lower()
    )
    if data.get("id"):
        clash = clash.where(Subprocessor.id != data["id"])
    if db.session.scalar(clash.limit(1)):
        errors.setdefault("legal_name", []).append("Ce sous-traitant existe déjà au catalogue.")
    if errors:
        raise ValidationFailed(errors)


def _apply(sub: Subprocessor, data: dict) -> list[str]:
    outside = rules.outside_eea(data["country"], data["processing_countries"], countries.eea())
    if not outside:
        data["transfer_mechanism"], data["transfer_documentation"] = "", ""
    changed = []
    for name in FIELDS:
        value = data[name]
        if name in ("processing_countries", "activities"):
            value = json.dumps(value)
        if getattr(sub, name) != value:
            changed.append(name)
            setattr(sub, name, value)
    sub.is_outside_eea = outside
    return changed


def create_subprocessor(data: dict, *, actor: Actor, now: datetime) -> Subprocessor:
    require_editor(actor)
    data = _clean(data)
    _check(data)
    sub = Subprocessor(created_at=now, updated_at=now)
    _apply(sub, data)
    db.session.add(sub)
    db.session.flush()
    sub.journal("subprocessor.created", now=now, actor=actor, legal_name=sub.legal_name)
    db.session.commit()
    return sub


def update_subprocessor(sub_id: int, data: dict, *, actor: Actor, now: datetime) -> Subprocessor:
    require_editor(actor)
    sub = _get(sub_id)
    data = {**_clean(data), "id": sub.id}
    _check(data)
    changed = _apply(sub, data)
    if changed:
        sub.updated_at = now
        sub.journal("subprocessor.updated", now=now, actor=actor, changed=changed)
    db.session.commit()
    return sub


def _get(sub_id: int) -> Subprocessor:
    sub = db.session.get(Subprocessor, sub_id)
    if sub is None:
        raise NotFound(N_("Sous-traitant introuvable."))
    return sub


def get_subprocessor(sub_id: int, *, actor: Actor, now: datetime) -> Subprocessor:
    """One catalogue entry (its contact may name a person): the read is journaled."""
    require_reader(actor)
    sub = _get(sub_id)
    sub.journal("subprocessor.read", now=now, actor=actor)
    db.session.commit()
    return sub


def list_subprocessors(
    *, actor: Actor, now: datetime, q: str = "", page: int = 1, per_page: int = 25
) -> Page:
    require_reader(actor)
    stmt = select(Subprocessor)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Subprocessor.legal_name).like(like), Subprocessor.country == q.upper())
        )
    return paginate(stmt, page=page, per_page=per_page, order_by=[Subprocessor.legal_name])


def all_edges() -> list[tuple[int, int]]:
    rows = db.session.execute(select(subprocessor_chain.c.parent_id, subprocessor_chain.c.child_id))
    return [(a, b) for a, b in rows]


def chain_of(sub_id: int, edges=None) -> list[tuple[int, Subprocessor, Subprocessor]]:
    """(depth, sub-processor, the one relying on it) under `sub_id`, to the last known level."""
    links = rules.chain_below(sub_id, all_edges() if edges is None else edges)
    ids = {link.subprocessor_id for link in links} | {link.parent_id for link in links}
    found = {
        s.id: s for s in db.session.scalars(select(Subprocessor).where(Subprocessor.id.in_(ids)))
    }
    return [(link.depth, found[link.subprocessor_id], found[link.parent_id]) for link in links]


def add_chain_link(parent_id: int, child_id: int, *, actor: Actor, now: datetime) -> Subprocessor:
    """Record that `parent_id` relies on `child_id`; a loop in the chain is refused."""
    require_editor(actor)
    parent, child = _get(parent_id), _get(child_id)
    edges = all_edges()
    if (parent.id, child.id) in edges:
        raise Conflict(
            N_(
                "%(parent)s s'appuie déjà sur %(child)s.",
                parent=parent.legal_name,
                child=child.legal_name,
            )
        )
    if rules.creates_cycle(edges, parent.id, child.id):
        raise ChainRefused(
            N_(
                "Chaîne refusée : %(child)s s'appuie déjà, directement ou non, sur %(parent)s "
                "(boucle).",
                child=child.legal_name,
                parent=parent.legal_name,
            ),
            fields={
                "child_id": [N_("Ce lien créerait une boucle dans la chaîne de sous-traitance.")]
            },
        )
    db.session.execute(insert(subprocessor_chain).values(parent_id=parent.id, child_id=child.id))
    parent.journal("subprocessor.chain_added", now=now, actor=actor, child_id=child.id)
    db.session.commit()
    db.session.refresh(parent)
    return parent


def remove_chain_link(parent_id: int, child_id: int, *, actor: Actor, now: datetime) -> None:
    require_editor(actor)
    parent = _get(parent_id)
    gone = db.session.execute(
        delete(subprocessor_chain).where(
            subprocessor_chain.c.parent_id == parent.id, subprocessor_chain.c.child_id == child_id
        )
    ).rowcount
    if not gone:
        raise NotFound(N_("Ce lien de la chaîne n'existe pas."))
    parent.journal("subprocessor.chain_removed", now=now, actor=actor, child_id=child_id)
    db.session.commit()
    db.session.expire(parent)


def choices() -> list[Subprocessor]:
    return list(db.session.scalars(select(Subprocessor).order_by(Subprocessor.legal_name)))
