"""The breach register (art. 33(5)): every breach, notified or not, with its facts, effects
and remedial actions; per municipality for its users, across all for the processor."""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.orm import joinedload

from rgpd_app.breaches import access, facts, rules
from rgpd_app.breaches.models import Breach, BreachNotice
from rgpd_app.exports import Column
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.paging import Page, paginate

COLUMNS = [
    Column("reference", "Référence"),
    Column("municipality", "Collectivité"),
    Column("started_at", "Début"),
    Column("ended_at", "Fin"),
    Column("is_ongoing", "En cours"),
    Column("aware_at", "Connaissance (sous-traitant)"),
    Column("natures", "Nature"),
    Column("cause", "Cause"),
    Column("origin", "Origine"),
    Column("description", "Faits"),
    Column("data_categories", "Données"),
    Column("person_categories", "Personnes"),
    Column("persons_count", "Personnes (nombre, collectivité)"),
    Column("consequences", "Effets / conséquences"),
    Column("measures_taken", "Mesures prises"),
    Column("measures_planned", "Mesures envisagées"),
    Column("phase", "Mises à jour"),
    Column("notified_at", "Collectivité informée le"),
    Column("authority_deadline_at", "Fin du délai CNIL"),
    Column("risk_level", "Risque"),
    Column("cnil_notified_at", "Notifiée à la CNIL le"),
    Column("delay_reason", "Motifs du retard"),
    Column("persons_information", "Information des personnes"),
]


def _stmt(actor: Actor):
    return (
        access.notices_stmt(actor)
        .join(Breach, Breach.id == BreachNotice.breach_id)
        .options(joinedload(BreachNotice.breach))
    )


def row(notice: BreachNotice) -> dict:
    """One line of the register: a breach as it concerns one municipality."""
    breach, decision = notice.breach, notice.decision
    known = facts.current(breach)
    initial = next((c for c in notice.cnil_notifications if c.kind == "initial"), None)
    return {
        "notice_id": notice.id,
        "reference": breach.reference,
        "municipality": notice.organisation.name,
        "started_at": breach.started_at,
        "ended_at": breach.ended_at,
        "is_ongoing": breach.is_ongoing,
        "aware_at": breach.aware_at,
        "natures": [rules.NATURES[n] for n in known["natures"]],
        "cause": rules.CAUSES.get(breach.cause, breach.cause),
        "origin": breach.origin,
        "description": breach.description,
        "data_categories": known["data_categories"],
        "person_categories": known["person_categories"],
        "persons_count": notice.persons_count,
        "consequences": breach.consequences,
        "measures_taken": breach.measures_taken,
        "measures_planned": breach.measures_planned,
        "phase": breach.phase,
        "notified_at": notice.notified_at,
        "authority_deadline_at": notice.authority_deadline_at,
        "risk_level": rules.RISK_LEVELS.get(decision.risk_level, "") if decision else "",
        "cnil_notified_at": initial.notified_at if initial else None,
        "delay_reason": initial.delay_reason if initial else "",
        "persons_information": (
            rules.PERSONS_INFORMATION.get(decision.persons_information, "") if decision else ""
        ),
    }


def register_page(*, actor: Actor, now: datetime, page: int = 1, per_page: int = 25) -> Page:
    result = paginate(
        _stmt(actor),
        page=page,
        per_page=per_page,
        order_by=[Breach.aware_at.desc(), Breach.id.desc(), BreachNotice.id],
    )
    record(
        "breach.register_read",
        now=now,
        actor=actor,
        object_type="breach_register",
        details={"page": page, "count": len(result.items)},
    )
    db.session.commit()
    return Page([row(n) for n in result.items], result.total, result.page, result.per_page)


def register_rows(*, actor: Actor) -> Iterator[dict]:
    """Every line the actor may see, for an export (read while the answer is sent; the role
    is checked now, before the answer starts)."""
    stmt = _stmt(actor).order_by(Breach.aware_at.desc(), Breach.id.desc(), BreachNotice.id)

    def rows() -> Iterator[dict]:
        # Runs while the answer streams, on that moment's session: the view's session is
        # closed once the view has returned.
        for notice in db.session.scalars(stmt).unique():
            yield row(notice)

    return rows()


def journal_export(fmt: str, count: int, *, actor: Actor, now: datetime) -> None:
    record(
        "breach.register_exported",
        now=now,
        actor=actor,
        object_type="breach_register",
        details={"format": fmt, "rows": count},
    )
    db.session.commit()
