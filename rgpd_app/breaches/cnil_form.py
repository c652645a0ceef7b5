"""The content of a municipality's CNIL notification, laid out in the sections of the CNIL's
form. The layout and the field mapping are data (cnil_form.json), so a change of the form
is a change of that file, not of the code."""

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path

from deadlines import PARIS, format_day_fr, format_instant_fr
from rgpd_app.breaches import access, facts, rules
from rgpd_app.breaches.models import BreachNotice
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.organisations.services import processor

MAPPING = Path(__file__).with_name("cnil_form.json")
NOT_GIVEN = "non renseigné"

_LABELS = {
    "cnil_kind": rules.CNIL_KINDS,
    "natures": rules.NATURES,
    "cause": rules.CAUSES,
    "risk": rules.RISK_LEVELS,
    "persons_information": rules.PERSONS_INFORMATION,
    "exemption": rules.EXEMPTIONS,
}


@cache
def mapping() -> dict:
    return json.loads(MAPPING.read_text(encoding="utf-8"))


def _format(value, kind: str | None) -> str:
    if value is None or value == "" or value == []:
        return NOT_GIVEN
    if kind == "instant" or isinstance(value, datetime):
        return format_instant_fr(value)
    if kind == "day" or isinstance(value, date):
        return format_day_fr(value)
    if kind == "yes_no" or isinstance(value, bool):
        return "oui" if value else "non"
    labels = _LABELS.get(kind or "", {})
    if isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value)
    return labels.get(value, str(value))


def _sources(notice: BreachNotice) -> dict:
    """Every value the mapping may name, by object then attribute."""
    org, decision = notice.organisation, notice.decision
    initial = next((c for c in notice.cnil_notifications if c.kind == "initial"), None)
    seller = processor()
    decision_values = {}
    if decision is not None:
        decision_values = {
            name: getattr(decision, name)
            for name in (
                "risk_level",
                "risk_reasoning",
                "persons_information",
                "persons_informed_on",
                "persons_information_means",
                "exemption",
                "public_communication",
            )
        }
    return {
        "breach": {"reference": notice.breach.reference, **facts.current(notice.breach)},
        "organisation": {
            name: getattr(org, name)
            for name in ("name", "siren", "address", "dpo_name", "dpo_email", "dpo_phone")
        },
        "processor": {
            "name": seller.name if seller else "",
            "siren": seller.siren if seller else "",
        },
        "notice": {
            name: getattr(notice, name)
            for name in ("notified_at", "authority_deadline_at", "persons_count", "records_count")
        },
        "decision": decision_values,
        "notification": {
            "kind": "complementary" if initial else "initial",
            "initial_reference": initial.cnil_reference if initial else "",
            "initial_at": initial.notified_at if initial else None,
            "delay_reason": initial.delay_reason if initial else "",
        },
    }


def _lookup(sources: dict, path: str):
    value = sources
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def build(notice: BreachNotice, *, now: datetime) -> dict:
    """The form's sections with their values, JSON-ready."""
    sources = _sources(notice)
    layout = mapping()
    return {
        "form": layout["form"],
        "notice_id": notice.id,
        "reference": notice.breach.reference,
        "organisation": notice.organisation.name,
        "generated_at": now.astimezone(PARIS).isoformat(),
        "sections": [
            {
                "title": section["title"],
                "fields": [
                    {
                        "label": item["label"],
                        "source": item["source"],
                        "value": _format(_lookup(sources, item["source"]), item.get("format")),
                    }
                    for item in section["fields"]
                ],
            }
            for section in layout["sections"]
        ],
    }


def cnil_form(notice_id: int, *, actor: Actor, now: datetime, fmt: str = "json") -> dict:
    """The prepared CNIL notification of one municipality (both sides may read it)."""
    notice = access.get_notice(notice_id, actor)
    content = build(notice, now=now)
    record(
        "breach.cnil_form",
        now=now,
        actor=actor,
        organisation_id=notice.organisation_id,
        object_type="breach_notice",
        object_id=notice.id,
        details={"format": fmt},
    )
    db.session.commit()
    return content


def cnil_form_pdf(notice_id: int, *, actor: Actor, now: datetime) -> bytes:
    from rgpd_app.exports import render_pdf

    content = cnil_form(notice_id, actor=actor, now=now, fmt="pdf")
    return render_pdf("breaches/cnil_form.html", form=content, generated_at=now)
