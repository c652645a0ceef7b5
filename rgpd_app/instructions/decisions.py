"""What happens to a given instruction: receipt, the processor's alert that it appears to
infringe data-protection law (GDPR art. 28(3) last paragraph; annex art. 3.2), the
municipality's written confirmation or withdrawal, the CNIL referral, and its application."""

from datetime import datetime

from flask_babel import force_locale

from deadlines import PARIS
from rgpd_app.errors import Conflict, ValidationFailed
from rgpd_app.exports import render_pdf
from rgpd_app.extensions import db
from rgpd_app.files import Upload
from rgpd_app.foundation.actor import Actor
from rgpd_app.instructions import notify, rules, storage
from rgpd_app.instructions.access import (
    get_instruction,
    refuse_unless_allowed,
    require_giver,
    require_handler,
)
from rgpd_app.instructions.models import NOTICE_LETTER, Instruction
from rgpd_app.messages import N_

LETTER_TEMPLATE = "instructions/letter.html"


def _signer(actor: Actor) -> str:
    return actor.user.name or actor.user.email


def acknowledge(instruction_id: int, *, actor: Actor, now: datetime) -> Instruction:
    """The processor's DPO acknowledges the instruction; from now on it is never edited."""
    require_handler(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.HANDLERS)
    refuse_unless_allowed(item, rules.ACKNOWLEDGE)
    item.state, item.acknowledged_at, item.acknowledged_by_id = rules.ACKNOWLEDGED, now, actor.id
    item.journal("acknowledged", now=now, actor=actor)
    notify.tell(
        item,
        notify.MUNICIPALITY,
        template="instruction_acknowledged",
        title=f"Instruction {item.reference} reçue par le sous-traitant",
        lines=[f"Objet : {item.subject}", f"Accusé de réception par {_signer(actor)}."],
        now=now,
    )
    db.session.commit()
    return item


def flag(instruction_id: int, data: dict, *, actor: Actor, now: datetime) -> Instruction:
    """The processor's DPO says the instruction appears to infringe the law: the reason is
    recorded, the municipality gets an e-mail and a PDF letter, the instruction is suspended."""
    require_handler(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.HANDLERS)
    refuse_unless_allowed(item, rules.FLAG)
    reason = data["reason"].strip()
    if item.acknowledged_at is None:  # the alert itself shows the instruction was received
        item.acknowledged_at, item.acknowledged_by_id = now, actor.id
    item.state, item.flagged_at, item.flagged_by_id, item.flag_reason = (
        rules.SUSPENDED,
        now,
        actor.id,
        reason,
    )
    with force_locale("fr"):  # a letter to the municipality, whatever the sender's language
        letter = render_pdf(
            LETTER_TEMPLATE,
            item=item,
            reason=reason,
            signer=_signer(actor),
            sent_on=now.astimezone(PARIS).date(),
        )
    stored = storage.store(
        item,
        Upload(f"{item.reference}-alerte.pdf", letter, "application/pdf"),
        kind=NOTICE_LETTER,
        user_id=actor.id,
        now=now,
    )
    db.session.flush()
    item.journal(
        "flagged",
        now=now,
        actor=actor,
        reason=reason,
        letter_id=stored.id,
        letter_sha256=stored.sha256,
    )
    notify.tell(
        item,
        notify.MUNICIPALITY,
        template="instruction_flagged",
        title=f"L'instruction {item.reference} semble contraire à la réglementation",
        lines=[
            f"Objet : {item.subject}",
            f"Motif : {reason}",
            "En application de l'article 28, paragraphe 3, du RGPD et de l'article 3.2 de "
            "l'annexe, nous ne l'exécutons pas tant que vous ne l'avez pas confirmée par écrit, "
            "ou retirée. Le courrier d'alerte (PDF) est disponible sur la page de l'instruction.",
            "Vous pouvez soumettre le désaccord à la CNIL.",
        ],
        now=now,
    )
    db.session.commit()
    return item


def confirm(instruction_id: int, data: dict, *, actor: Actor, now: datetime) -> Instruction:
    """The municipality confirms the suspended instruction in writing (who, when, what)."""
    require_giver(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.GIVERS)
    refuse_unless_allowed(item, rules.CONFIRM)
    item.state, item.confirmed_at, item.confirmed_by_id = rules.CONFIRMED, now, actor.id
    item.confirmed_by_name, item.confirmation_text = _signer(actor), data["text"].strip()
    item.journal("confirmed", now=now, actor=actor, text=item.confirmation_text)
    notify.tell(
        item,
        notify.PROCESSOR,
        template="instruction_confirmed",
        title=f"Instruction {item.reference} confirmée par écrit",
        lines=[
            f"Objet : {item.subject}",
            f"Confirmée par {item.confirmed_by_name} : {item.confirmation_text}",
        ],
        now=now,
    )
    db.session.commit()
    return item


def withdraw(instruction_id: int, data: dict, *, actor: Actor, now: datetime) -> Instruction:
    """The municipality withdraws the instruction; a withdrawn correction replaces nothing."""
    require_giver(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.GIVERS)
    refuse_unless_allowed(item, rules.WITHDRAW)
    item.state, item.withdrawn_at, item.withdrawn_by_id = rules.WITHDRAWN, now, actor.id
    item.withdrawal_reason = (data.get("reason") or "").strip()
    item.journal("withdrawn", now=now, actor=actor, reason=item.withdrawal_reason)
    lines = [f"Objet : {item.subject}"]
    if item.withdrawal_reason:
        lines.append(f"Motif : {item.withdrawal_reason}")
    if item.supersedes is not None:
        lines.append(
            f"L'instruction {item.supersedes.reference} qu'elle remplaçait s'applique de nouveau."
        )
    notify.tell(
        item,
        notify.PROCESSOR,
        template="instruction_withdrawn",
        title=f"Instruction {item.reference} retirée",
        lines=lines,
        now=now,
    )
    db.session.commit()
    return item


def refer_to_cnil(instruction_id: int, data: dict, *, actor: Actor, now: datetime):
    """The municipality records that the disagreement was referred to the CNIL."""
    require_giver(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.GIVERS)
    refused = rules.can_refer_to_cnil(item.flagged_at is not None, item.cnil_referred_on)
    if refused is not None:
        raise Conflict(refused.message, code=refused.code)
    if data["referred_on"] > now.astimezone(PARIS).date():
        raise ValidationFailed({"referred_on": [N_("La date de saisine ne peut pas être future.")]})
    item.cnil_referred_on, item.cnil_reference = data["referred_on"], data["reference"].strip()
    item.cnil_recorded_at, item.cnil_recorded_by_id = now, actor.id
    item.journal(
        "cnil_referred",
        now=now,
        actor=actor,
        referred_on=item.cnil_referred_on.isoformat(),
        reference=item.cnil_reference,
    )
    notify.tell(
        item,
        notify.PROCESSOR,
        template="instruction_cnil",
        title=f"Instruction {item.reference} : désaccord porté devant la CNIL",
        lines=[
            f"Saisine du {item.cnil_referred_on.strftime('%d/%m/%Y')}"
            + (f", référence {item.cnil_reference}" if item.cnil_reference else "")
        ],
        now=now,
    )
    db.session.commit()
    return item


def mark_applied(instruction_id: int, data: dict, *, actor: Actor, now: datetime):
    """The processor's DPO records that the instruction is carried out; never a suspended one."""
    require_handler(actor)
    item = get_instruction(instruction_id, actor=actor, roles=rules.HANDLERS)
    refuse_unless_allowed(item, rules.APPLY)
    item.state, item.applied_at, item.applied_by_id = rules.APPLIED, now, actor.id
    item.applied_note = (data.get("note") or "").strip()
    item.journal("applied", now=now, actor=actor, note=item.applied_note)
    lines = [f"Objet : {item.subject}"] + ([item.applied_note] if item.applied_note else [])
    notify.tell(
        item,
        notify.MUNICIPALITY,
        template="instruction_applied",
        title=f"Instruction {item.reference} appliquée",
        lines=lines,
        now=now,
    )
    db.session.commit()
    return item
