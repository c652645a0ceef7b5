"""Who hears about a breach and what they receive: e-mails and webhooks through the outbox."""

from datetime import datetime

from deadlines import format_instant_fr
from rgpd_app.accounts.grants import emails_holding
from rgpd_app.breaches import facts, rules
from rgpd_app.breaches.models import Breach, BreachNotice
from rgpd_app.foundation import roles
from rgpd_app.notifications.services import enqueue_email, enqueue_webhook
from rgpd_app.organisations.models import Organisation

NOTICE_EVENT = "breach_notice"  # outbox event type of the notice e-mails (the clock's proof)


def processor_security_staff() -> list[str]:
    """Every security officer and processor DPO of the processor (who is alerted of a breach).

    Not `deposits.notify`'s recipients, which are the security officers alone."""
    return emails_holding((roles.SECURITY_OFFICER, roles.PROCESSOR_DPO), processor_only=True)


def municipality_dpos(organisation: Organisation) -> list[str]:
    """The DPO address on the municipality's record and its DPO accounts, without repeats."""
    found = [organisation.dpo_email.lower()] if organisation.dpo_email else []
    found += [
        email.lower()
        for email in emails_holding((roles.CONTROLLER_DPO,), organisation_id=organisation.id)
    ]
    return list(dict.fromkeys(found))


def processor_clock_lines(breach: Breach) -> list[str]:
    lines = [f"Prise de connaissance par le sous-traitant : {format_instant_fr(breach.aware_at)}."]
    for notice in breach.notices:
        lines.append(
            f"{notice.organisation.name} : objectif interne d'information le "
            f"{format_instant_fr(notice.processor_target_at)} "
            f"({notice.organisation.breach_processor_hours} h après la prise de connaissance)."
        )
    return lines


def authority_clock_line(notice: BreachNotice) -> str:
    hours = notice.organisation.breach_authority_hours
    if notice.authority_deadline_at is None:
        return (
            f"Délai de notification à la CNIL ({hours} h) : il court à partir de la réception "
            "de cette information par la collectivité."
        )
    return (
        f"Délai de notification à la CNIL ({hours} h) : jusqu'au "
        f"{format_instant_fr(notice.authority_deadline_at)} (information reçue le "
        f"{format_instant_fr(notice.notified_at)})."
    )


def _base(breach: Breach, title: str) -> dict:
    return {"reference": breach.reference, "title": title, "phase": breach.phase}


def alert_security_staff(breach: Breach, *, now: datetime) -> int:
    """Tell the security staff at once (e-mail and webhook), with the facts and the clocks."""
    known = facts.current(breach)
    context = {
        **_base(breach, f"Violation de données {breach.reference} enregistrée"),
        "lines": [
            "Une violation de données vient d'être enregistrée. Chaque collectivité concernée "
            "doit être informée sans délai (annexe, art. 4.7).",
            "Collectivités concernées : "
            + ", ".join(n.organisation.name for n in breach.notices)
            + ".",
        ],
        "clocks": processor_clock_lines(breach),
        "facts": facts.described(known),
        "link": f"/breaches/{breach.id}",
        "link_label": "Voir la violation",
    }
    addresses = processor_security_staff()
    for address in addresses:
        enqueue_email(to=address, template="breach_alert", context=context, event=breach, now=now)
    enqueue_webhook(
        event_type="breach.recorded",
        now=now,
        payload={
            "id": breach.id,
            "reference": breach.reference,
            "aware_at": breach.aware_at.isoformat(),
            "natures": known["natures"],
            "cause": breach.cause,
            "is_ongoing": breach.is_ongoing,
            "persons_count": breach.persons_count,
            "municipalities": [
                {
                    "organisation_id": n.organisation_id,
                    "name": n.organisation.name,
                    "processor_target_at": n.processor_target_at.isoformat(),
                    "authority_hours": n.organisation.breach_authority_hours,
                }
                for n in breach.notices
            ],
        },
    )
    return len(addresses)


def _numbers_line(notice: BreachNotice) -> str | None:
    parts = []
    if notice.persons_count is not None:
        parts.append(f"environ {notice.persons_count} personne(s)")
    if notice.records_count is not None:
        parts.append(f"environ {notice.records_count} enregistrement(s)")
    return f"Pour votre collectivité : {', '.join(parts)}." if parts else None


def send_notice(notice: BreachNotice, *, now: datetime) -> int:
    """The notice e-mail to the municipality's DPO(s); its acceptance starts the 72 h clock."""
    breach = notice.breach
    lines = [
        "En qualité de sous-traitant, nous vous informons d'une violation de données à "
        "caractère personnel concernant des traitements que nous effectuons pour votre compte "
        "(art. 33(2) du RGPD ; annexe, art. 4.7). Un courrier recommandé avec accusé de "
        "réception suit ce message.",
    ]
    numbers = _numbers_line(notice)
    if numbers:
        lines.append(numbers)
    context = {
        **_base(breach, f"Violation de données {breach.reference}"),
        "organisation_name": notice.organisation.name,
        "lines": lines,
        "clocks": [authority_clock_line(notice)],
        "facts": facts.described(facts.current(breach)),
        "link": f"/breaches/notices/{notice.id}",
        "link_label": "Suivre la violation et enregistrer votre décision",
    }
    addresses = municipality_dpos(notice.organisation)
    for address in addresses:
        enqueue_email(
            to=address,
            template="breach_notice",
            context=context,
            organisation_id=notice.organisation_id,
            event=(NOTICE_EVENT, notice.id),
            now=now,
        )
    return len(addresses)


def send_update(notice: BreachNotice, summary: str, changed: list[str], *, now: datetime) -> int:
    """A phase of information (art. 33(4)) to a municipality already informed."""
    breach = notice.breach
    changed_labels = ", ".join(facts.LABELS[name] for name in changed) or "aucun fait modifié"
    context = {
        **_base(breach, f"Violation {breach.reference} : informations complémentaires"),
        "organisation_name": notice.organisation.name,
        "lines": [
            f"Mise à jour n° {breach.phase} (art. 33(4) du RGPD) : {summary}",
            f"Éléments modifiés : {changed_labels}.",
        ],
        "clocks": [authority_clock_line(notice)],
        "facts": facts.described(facts.current(breach)),
        "link": f"/breaches/notices/{notice.id}",
        "link_label": "Voir la violation",
    }
    addresses = municipality_dpos(notice.organisation)
    for address in addresses:
        enqueue_email(
            to=address,
            template="breach_update",
            context=context,
            organisation_id=notice.organisation_id,
            event=("breach_update", f"{notice.id}:{breach.phase}"),
            now=now,
        )
    return len(addresses)


def send_reminder(notice: BreachNotice, kind: str, *, now: datetime) -> int:
    """A reminder or escalation: to the processor's security staff and, for the authority
    clock, to the municipality's DPO(s)."""
    breach = notice.breach
    if kind == rules.PROCESSOR_ESCALATION:
        addresses = processor_security_staff()
        lines = [
            f"L'objectif interne d'information de {notice.organisation.name} "
            f"({format_instant_fr(notice.processor_target_at)}) est dépassé et la collectivité "
            "n'a pas encore reçu la notification. Confirmez et envoyez-la sans délai.",
        ]
        clocks = processor_clock_lines(breach)
    else:
        addresses = [*municipality_dpos(notice.organisation), *processor_security_staff()]
        passed = kind == "authority_passed"
        lines = [
            "Le délai de notification de cette violation à la CNIL est écoulé. Si elle est "
            "notifiée, les motifs du retard doivent l'accompagner (art. 33(1))."
            if passed
            else "Le délai de notification de cette violation à la CNIL approche. Enregistrez "
            "la décision de la collectivité et, le cas échéant, sa notification à la CNIL.",
        ]
        clocks = [authority_clock_line(notice)]
    context = {
        **_base(breach, f"Violation {breach.reference} : {rules.REMINDER_LABELS[kind]}"),
        "reminder_label": rules.REMINDER_LABELS[kind],
        "organisation_name": notice.organisation.name,
        "lines": lines,
        "clocks": clocks,
        "link": f"/breaches/notices/{notice.id}",
        "link_label": "Voir la notification",
    }
    for address in dict.fromkeys(addresses):
        enqueue_email(
            to=address,
            template="breach_reminder",
            context=context,
            organisation_id=notice.organisation_id,
            event=("breach_reminder", f"{notice.id}:{kind}"),
            now=now,
        )
    return len(set(addresses))
