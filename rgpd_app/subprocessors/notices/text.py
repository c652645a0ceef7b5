"""The French wording of a notice, shared by the e-mails and the pages."""

import json

from deadlines import format_day_fr
from rgpd_app.organisations.models import Organisation
from rgpd_app.register import countries
from rgpd_app.register.choices import OPERATIONS, SAFEGUARDS
from rgpd_app.subprocessors.models import NoticeRecipient, SubprocessorNotice
from rgpd_app.subprocessors.notices import rules as notice_rules


def notice_title(notice: SubprocessorNotice) -> str:
    name = notice.subprocessor.legal_name if notice.subprocessor else "?"
    if notice.kind == notice_rules.REPLACEMENT and notice.replaced is not None:
        return f"Remplacement du sous-traitant ultérieur {notice.replaced.legal_name} par {name}"
    return f"Recours à un nouveau sous-traitant ultérieur : {name}"


def activities_text(codes: list[str]) -> str:
    return ", ".join(OPERATIONS.get(code, code) for code in codes)


def notice_lines(notice: SubprocessorNotice, org: Organisation) -> list[str]:
    """What annex 4.4 requires the notice to say, then the municipality's window rule."""
    sub = notice.subprocessor
    places = json.loads(sub.processing_countries or "[]")
    lines = [
        f"Nature du changement : {notice_rules.KINDS.get(notice.kind, notice.kind)}.",
        f"Sous-traitant ultérieur : {sub.legal_name}, {sub.address}.",
        f"Coordonnées : {sub.contact}.",
        f"Pays du siège : {countries.name(sub.country)}."
        + (
            f" Lieux de traitement : {', '.join(countries.name(c) for c in places)}."
            if places
            else ""
        ),
        f"Activités sous-traitées : {activities_text(json.loads(notice.activities or '[]'))}.",
        f"Contrat : du {format_day_fr(notice.contract_start_on)} "
        f"au {format_day_fr(notice.contract_end_on)}.",
    ]
    if notice.replaced is not None:
        lines.append(f"Sous-traitant remplacé : {notice.replaced.legal_name}.")
    if notice.is_transfer_outside_eea or sub.is_outside_eea:
        mechanism = SAFEGUARDS.get(sub.transfer_mechanism, sub.transfer_mechanism)
        lines.append(
            f"Ce changement entraîne un transfert de données hors de l'UE/EEE ({mechanism}). "
            "Conformément à l'annexe 4.2, il exige votre accord écrit préalable : votre silence "
            "ne vaut pas accord."
        )
    if notice.details:
        lines.append(notice.details)
    lines.append(
        f"Vous disposez de {org.objection_days} jours à compter de la réception de ce message "
        "pour formuler une objection motivée (annexe 4.4 ; si le dernier jour est un samedi, "
        "un dimanche ou un jour férié, le délai est prolongé au jour ouvré suivant)."
    )
    return lines


def window_text(recipient: NoticeRecipient) -> str:
    if recipient.window_ends_on is None:
        return "Le délai n'a pas commencé (message pas encore reçu)."
    return f"Délai d'objection jusqu'au {notice_rules.closed_text(recipient.window_ends_on)}."
