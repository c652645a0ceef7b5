"""Breach rules (annex 4.7; GDPR art. 33 and 34). Pure: values in, decisions out."""

from datetime import datetime, timedelta

from rgpd_app.messages import N_

NATURES = {
    "confidentiality": "Perte de confidentialité",
    "integrity": "Perte d'intégrité",
    "availability": "Perte de disponibilité",
}
CAUSES = {
    "internal_malicious": "Acte interne malveillant",
    "internal_accidental": "Acte interne accidentel",
    "external_malicious": "Acte externe malveillant",
    "external_accidental": "Acte externe accidentel",
    "unknown": "Cause inconnue",
}
RISK_LEVELS = {"none": "Aucun risque", "risk": "Risque", "high": "Risque élevé"}
PERSONS_INFORMATION = {
    "pending": "Pas encore décidé",
    "informed": "Personnes informées (art. 34)",
    "exempted": "Exemption (art. 34(3))",
    "not_required": "Non requise : pas de risque élevé",
}
EXEMPTIONS = {
    "encryption": "Données rendues incompréhensibles (chiffrement) — art. 34(3)(a)",
    "risk_no_longer_likely": "Risque élevé n'étant plus susceptible de se matérialiser — "
    "art. 34(3)(b)",
    "disproportionate_effort": "Efforts disproportionnés : communication publique — art. 34(3)(c)",
}
CNIL_KINDS = {"initial": "Notification initiale", "complementary": "Notification complémentaire"}

# Reminders before the authority deadline, latest first: (kind, hours before the end).
AUTHORITY_REMINDERS = (("authority_passed", 0), ("authority_6h", 6), ("authority_24h", 24))
PROCESSOR_ESCALATION = "processor_target"
REMINDER_LABELS = {
    "authority_24h": "24 heures avant la fin du délai de notification à la CNIL",
    "authority_6h": "6 heures avant la fin du délai de notification à la CNIL",
    "authority_passed": "délai de notification à la CNIL écoulé",
    PROCESSOR_ESCALATION: "objectif interne d'information de la collectivité dépassé",
}

# Every fact of a breach, in the order of the form; a BreachUpdate keeps all of them.
FACT_FIELDS = (
    "started_at",
    "ended_at",
    "is_ongoing",
    "aware_at",
    "discovery",
    "description",
    "natures",
    "origin",
    "cause",
    "data_categories",
    "person_categories",
    "persons_count",
    "records_count",
    "consequences",
    "measures_taken",
    "measures_planned",
    "prior_measures",
    "contact_point",
)

REQUIRED_FACTS = (
    "started_at",
    "aware_at",
    "discovery",
    "description",
    "natures",
    "cause",
    "contact_point",
)
# The value of a fact left empty in a complete form.
EMPTY_FACTS = {
    **{name: "" for name in FACT_FIELDS},
    **{name: None for name in ("started_at", "ended_at", "aware_at")},
    **{name: None for name in ("persons_count", "records_count")},
    **{name: [] for name in ("natures", "data_categories", "person_categories")},
    "is_ongoing": False,
}


def reference(year: int, sequence: int) -> str:
    """The breach's reference in the processor's register (art. 33(5)): VIOL-2026-0001."""
    return f"VIOL-{year}-{sequence:04d}"


def fact_problems(facts: dict, *, now: datetime) -> dict[str, list[str]]:
    """French reasons why the facts are inconsistent (art. 33(3)), every field at once."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in REQUIRED_FACTS:
        if facts.get(field) in (None, "", []):
            add(field, N_("Ce champ est obligatoire."))
    started, ended, aware = facts.get("started_at"), facts.get("ended_at"), facts.get("aware_at")
    if facts.get("is_ongoing") and ended is not None:
        add("ended_at", N_("Une violation en cours n'a pas encore de fin : videz la date de fin."))
    if not facts.get("is_ongoing") and ended is None:
        add("ended_at", N_("Indiquez la fin de la violation, ou cochez « toujours en cours »."))
    if started and ended and ended < started:
        add("ended_at", N_("La fin de la violation précède son début."))
    if started and aware and aware < started:
        add("aware_at", N_("La prise de connaissance précède le début de la violation."))
    for field in ("started_at", "ended_at", "aware_at"):
        value = facts.get(field)
        if value is not None and value > now:
            add(field, N_("Cet instant est dans le futur."))
    unknown = [v for v in facts.get("natures") or [] if v not in NATURES]
    if unknown:
        add("natures", N_("Nature inconnue : %(unknown)s.", unknown=", ".join(unknown)))
    return errors


def reached_at(email_accepted_at: datetime | None, acknowledged_at: datetime | None):
    """When the notice reached the municipality: the earliest proof (art. 33(2); DESIGN §3)."""
    known = [value for value in (email_accepted_at, acknowledged_at) if value is not None]
    return min(known) if known else None


def hours_left(deadline: datetime | None, now: datetime) -> float | None:
    """Hours left before `deadline`, one decimal, negative once passed; None if not started."""
    if deadline is None:
        return None
    return round((deadline - now).total_seconds() / 3600, 1)


def reminder_due(
    *, deadline: datetime | None, now: datetime, sent: set[str], settled: bool
) -> str | None:
    """The authority reminder to send at `now`, or None. Only the most recent threshold
    counts: a worker that was stopped does not send stale 24-hour reminders after the end."""
    if deadline is None or settled:
        return None
    for kind, hours in AUTHORITY_REMINDERS:
        if now >= deadline - timedelta(hours=hours):
            return None if kind in sent else kind
    return None


def escalation_due(
    *, target: datetime, now: datetime, notified_at: datetime | None, sent: set[str]
) -> bool:
    """The processor's internal target passed before the notice reached the municipality."""
    return notified_at is None and now >= target and PROCESSOR_ESCALATION not in sent


def is_settled(*, risk_level: str | None, cnil_kinds: list[str]) -> bool:
    """No more reminders once the CNIL was notified or the DPO found no risk (art. 33(1))."""
    return "initial" in cnil_kinds or risk_level == "none"


def decision_problems(data: dict) -> dict[str, list[str]]:
    """French reasons why a municipality's decision is incomplete (art. 33(1), 34)."""
    errors: dict[str, list[str]] = {}
    info, risk = data.get("persons_information"), data.get("risk_level")
    if not (data.get("risk_reasoning") or "").strip():
        errors["risk_reasoning"] = [N_("Justifiez le niveau de risque retenu.")]
    if info == "informed":
        if data.get("persons_informed_on") is None:
            errors["persons_informed_on"] = [
                N_("Indiquez la date à laquelle les personnes ont été informées.")
            ]
        if not (data.get("persons_information_means") or "").strip():
            errors["persons_information_means"] = [
                N_("Indiquez comment les personnes ont été informées.")
            ]
    if info == "exempted":
        if data.get("exemption") not in EXEMPTIONS:
            errors["exemption"] = [N_("Choisissez l'exemption qui s'applique (art. 34(3)).")]
        elif (
            data["exemption"] == "disproportionate_effort"
            and not (data.get("public_communication") or "").strip()
        ):
            errors["public_communication"] = [
                N_(
                    "Des efforts disproportionnés imposent une communication publique : "
                    "décrivez-la."
                )
            ]
    if info == "not_required" and risk == "high":
        errors["persons_information"] = [
            N_(
                "Un risque élevé impose d'informer les personnes (art. 34) ou de justifier une "
                "exemption."
            )
        ]
    return errors


def cnil_problems(
    *,
    kind: str,
    notified_at: datetime,
    delay_reason: str,
    deadline: datetime | None,
    initial_at: datetime | None,
    now: datetime,
) -> dict[str, list[str]]:
    """French reasons to refuse a CNIL notification record (art. 33(1), 33(4))."""
    errors: dict[str, list[str]] = {}
    if notified_at > now:
        errors["notified_at"] = [N_("Cet instant est dans le futur.")]
    if kind == "initial" and initial_at is not None:
        errors["kind"] = [
            N_(
                "La notification initiale est déjà enregistrée : ajoutez une notification "
                "complémentaire."
            )
        ]
    if kind == "complementary":
        if initial_at is None:
            errors["kind"] = [N_("Enregistrez d'abord la notification initiale.")]
        elif notified_at < initial_at:
            errors["notified_at"] = [
                N_("Une notification complémentaire suit la notification initiale.")
            ]
    if kind == "initial" and is_late(notified_at, deadline) and not delay_reason.strip():
        errors["delay_reason"] = [
            N_(
                "Notification après le délai de 72 heures : les motifs du retard sont obligatoires "
                "(art. 33(1))."
            )
        ]
    return errors


def is_late(notified_at: datetime, deadline: datetime | None) -> bool:
    """Notified after the end of the authority clock (art. 33(1))."""
    return deadline is not None and notified_at > deadline
