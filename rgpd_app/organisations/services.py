"""Organisation use cases: the processor and the municipalities it serves."""

from datetime import datetime

from sqlalchemy import func, or_, select

from rgpd_app.errors import NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require, visible_controller_ids
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, PROCESSOR, Organisation
from rgpd_app.paging import paginate


def processor() -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kind == PROCESSOR))


def create_organisation(
    data: dict, *, is_processor: bool = False, actor: Actor | None, now: datetime
):
    """Only an administrator (or the CLI) creates organisations; there is exactly one processor."""
    if actor is not None:
        require(actor, roles.ADMIN)
    data = dict(data)
    data["siren"] = data["siren"].replace(" ", "")
    data["departement"] = data["departement"].strip().upper()
    errors = {}
    if db.session.scalar(select(Organisation.id).where(Organisation.siren == data["siren"])):
        errors["siren"] = [N_("Une organisation existe déjà avec ce SIREN.")]
    if is_processor and processor() is not None:
        errors["kind"] = [N_("Le sous-traitant existe déjà : il ne peut y en avoir qu'un.")]
    if errors:
        raise ValidationFailed(errors)
    if is_processor:
        data["is_password_renewal_required"] = True  # annex §1: see update_organisation
    org = Organisation(kind=PROCESSOR if is_processor else CONTROLLER, created_at=now, **data)
    db.session.add(org)
    db.session.flush()
    record(
        "organisation.created",
        now=now,
        actor=actor,
        user=actor.user if actor else None,
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
        details={"siren": org.siren, "name": org.name},
    )
    db.session.commit()
    return org


def update_organisation(org_id: int, data: dict, *, actor: Actor, now: datetime) -> Organisation:
    """An administrator rewrites an organisation's record (the whole of it)."""
    require(actor, roles.ADMIN)
    org = get_visible(Organisation, org_id, actor, column=Organisation.id)
    data = dict(data)
    data["siren"] = data["siren"].replace(" ", "")
    data["departement"] = data["departement"].strip().upper()
    if org.is_processor:
        # The processor's policy asks for a yearly password renewal (annex §1): not optional.
        data["is_password_renewal_required"] = True
    clash = db.session.scalar(
        select(Organisation.id).where(
            Organisation.siren == data["siren"], Organisation.id != org.id
        )
    )
    if clash:
        raise ValidationFailed({"siren": [N_("Une organisation existe déjà avec ce SIREN.")]})
    changes = {}
    for key, value in data.items():
        if getattr(org, key) != value:
            changes[key] = [str(getattr(org, key)), str(value)]
            setattr(org, key, value)
    if changes:
        record(
            "organisation.updated",
            now=now,
            actor=actor,
            organisation_id=org.id,
            object_type="organisation",
            object_id=org.id,
            details={"changed": sorted(changes)},
        )
    db.session.commit()
    return org


def _visible_stmt(actor: Actor):
    ids = visible_controller_ids(actor)
    stmt = select(Organisation)
    if ids is not None:
        # A municipality's user sees its own organisation and the processor it works with.
        stmt = stmt.where(or_(Organisation.id.in_(ids), Organisation.kind == PROCESSOR))
    return stmt


SORTS = {
    "name": Organisation.name,
    "siren": Organisation.siren,
    "departement": Organisation.departement,
    "-name": Organisation.name.desc(),
}


def list_organisations(
    *,
    actor: Actor,
    now: datetime,
    q: str = "",
    kind: str = "",
    sort: str = "name",
    page: int = 1,
    per_page: int = 25,
):
    stmt = _visible_stmt(actor)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Organisation.name).like(like), Organisation.siren.like(like))
        )
    if kind in (PROCESSOR, CONTROLLER):
        stmt = stmt.where(Organisation.kind == kind)
    return paginate(
        stmt,
        page=page,
        per_page=per_page,
        order_by=[SORTS.get(sort, Organisation.name), Organisation.id],
    )


def get_processor(*, actor: Actor, now: datetime) -> Organisation:
    """The processor's record, which every account sees (as get_organisation: journaled)."""
    org = processor()
    if org is None:
        raise NotFound()
    return get_organisation(org.id, actor=actor, now=now)


def get_organisation(org_id: int, *, actor: Actor, now: datetime) -> Organisation:
    """One organisation if visible (else 404); it names the DPO, so the read is journaled."""
    org = db.session.scalar(_visible_stmt(actor).where(Organisation.id == org_id))
    if org is None:
        raise NotFound()
    record(
        "organisation.read",
        now=now,
        actor=actor,
        organisation_id=org.id,
        object_type="organisation",
        object_id=org.id,
    )
    db.session.commit()
    return org
