"""Instruction use cases through the services: give, receipt, alert, confirmation, supersession."""

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from rgpd_app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.instructions import decisions, rules, services
from rgpd_app.instructions.inforce import instruction_in_force
from rgpd_app.instructions.models import NOTICE_LETTER, Instruction
from rgpd_app.notifications.models import OutboxMessage
from tests.instructions_support import attachment, instruction_data

REASON = "La durée demandée est contraire à l'article 5 du RGPD (limitation de la conservation)."


def outbox(template):
    stmt = select(OutboxMessage).where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def actions(instruction):
    stmt = select(JournalEntry.action).where(
        JournalEntry.object_id == str(instruction.id), JournalEntry.object_type == "instruction"
    )
    return list(db.session.scalars(stmt.order_by(JournalEntry.id)))


def test_an_instruction_is_recorded_with_its_file_and_the_processor_told(app, given, staff):
    assert given.state == rules.GIVEN and given.reference == f"INS-{given.id:05d}"
    assert given.given_by_name == "Test instructor"
    [file] = given.attachments
    path = Path(app.config["STORAGE_ROOT"]) / "instructions" / file.storage_name
    assert path.read_bytes() == b"%PDF-1.4 lettre du maire"
    assert file.sha256 == hashlib.sha256(b"%PDF-1.4 lettre du maire").hexdigest()
    [mail] = outbox("instruction_given")
    assert mail.recipient == "dpo@logiciels.example"
    assert given.reference in mail.subject and "Durée de conservation" in mail.body_text
    assert actions(given) == ["instructions.given"]


def test_bad_input_names_every_field_and_writes_nothing(staff, make_activity, rennes, clock):
    foreign = make_activity(rennes)
    with pytest.raises(ValidationFailed) as err:
        services.record_instruction(
            instruction_data([foreign.id], supersedes_id=999),
            [attachment(content=b"")],
            actor=staff.actor(staff.controller_dpo),
            now=clock(),
        )
    assert set(err.value.fields) == {"activity_ids", "supersedes_id", "attachments"}
    db.session.rollback()
    assert db.session.scalar(select(Instruction.id)) is None


def test_corrections_are_allowed_until_the_receipt_then_refused(given, staff, clock):
    data = instruction_data([a.id for a in given.activities], subject="Objet corrigé")
    services.update_instruction(given.id, data, actor=staff.actor(staff.instructor), now=clock())
    assert given.subject == "Objet corrigé"
    decisions.acknowledge(given.id, actor=staff.actor(staff.processor_dpo), now=clock())
    with pytest.raises(Conflict) as err:
        services.update_instruction(
            given.id, data, actor=staff.actor(staff.instructor), now=clock()
        )
    assert err.value.code == "instruction_locked"
    with pytest.raises(Conflict):
        services.add_attachments(
            given.id, [attachment()], actor=staff.actor(staff.instructor), now=clock()
        )


def test_a_suspended_instruction_cannot_be_marked_applied(app, given, staff, clock):
    pdpo = staff.actor(staff.processor_dpo)
    decisions.flag(given.id, {"reason": REASON}, actor=pdpo, now=clock())
    assert given.state == rules.SUSPENDED and given.acknowledged_at == clock()
    [letter] = [a for a in given.attachments if a.kind == NOTICE_LETTER]
    content = (Path(app.config["STORAGE_ROOT"]) / "instructions" / letter.storage_name).read_bytes()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == letter.sha256
    mails = outbox("instruction_flagged")
    assert {m.recipient for m in mails} == {
        "dpo@metz.example",
        "maire@metz.example",
        given.organisation.dpo_email,
    }
    assert REASON in mails[0].body_text
    with pytest.raises(Conflict) as err:
        decisions.mark_applied(given.id, {}, actor=pdpo, now=clock())
    assert err.value.code == "instruction_suspended"
    db.session.rollback()
    assert db.session.get(Instruction, given.id).state == rules.SUSPENDED


def test_written_confirmation_records_who_and_when_then_it_can_be_applied(given, staff, clock):
    decisions.flag(
        given.id, {"reason": REASON}, actor=staff.actor(staff.processor_dpo), now=clock()
    )
    clock.advance(days=1)
    decisions.confirm(
        given.id,
        {"text": "Nous confirmons : délibération du 1er mars."},
        actor=staff.actor(staff.controller_dpo),
        now=clock(),
    )
    assert given.state == rules.CONFIRMED and given.confirmed_at == clock()
    assert given.confirmed_by_name == "Test controller_dpo"
    assert outbox("instruction_confirmed")[0].recipient == "dpo@logiciels.example"
    decisions.mark_applied(
        given.id, {"note": "Purge paramétrée"}, actor=staff.actor(staff.processor_dpo), now=clock()
    )
    assert given.state == rules.APPLIED
    assert actions(given)[-3:] == [
        "instructions.flagged",
        "instructions.confirmed",
        "instructions.applied",
    ]


def test_the_cnil_referral_needs_an_alert_and_is_recorded_once(given, staff, clock):
    cdpo = staff.actor(staff.controller_dpo)
    data = {"referred_on": date(2026, 3, 2), "reference": "CNIL-2026-1"}
    with pytest.raises(Conflict):
        decisions.refer_to_cnil(given.id, data, actor=cdpo, now=clock())
    decisions.flag(
        given.id, {"reason": REASON}, actor=staff.actor(staff.processor_dpo), now=clock()
    )
    with pytest.raises(ValidationFailed) as err:
        decisions.refer_to_cnil(
            given.id, {**data, "referred_on": date(2026, 3, 3)}, actor=cdpo, now=clock()
        )
    assert "referred_on" in err.value.fields
    decisions.refer_to_cnil(given.id, data, actor=cdpo, now=clock())
    assert given.cnil_referred_on == date(2026, 3, 2) and given.state == rules.SUSPENDED
    with pytest.raises(Conflict):
        decisions.refer_to_cnil(given.id, data, actor=cdpo, now=clock())


def test_supersession_decides_which_instruction_is_in_force(given, staff, clock):
    activity = given.activities[0]
    instructor, pdpo = staff.actor(staff.instructor), staff.actor(staff.processor_dpo)
    assert instruction_in_force(activity.id, now=clock()) is None  # effective on 9 March
    clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    assert instruction_in_force(activity.id, now=clock()) == given
    fix = services.record_instruction(
        instruction_data(
            [], supersedes_id=given.id, effective_on=date(2026, 3, 16), subject="Durée corrigée"
        ),
        actor=instructor,
        now=clock(),
    )
    assert fix.activities == [activity] and given.superseded_by == fix
    assert instruction_in_force(activity.id, now=clock()) == given
    clock.set(datetime(2026, 3, 16, 8, 0, tzinfo=UTC))
    assert instruction_in_force(activity.id, now=clock()) == fix
    decisions.flag(fix.id, {"reason": REASON}, actor=pdpo, now=clock())
    assert instruction_in_force(activity.id, now=clock()) == given
    decisions.withdraw(fix.id, {"reason": "Erreur"}, actor=instructor, now=clock())
    assert given.superseded_by is None
    with pytest.raises(ValidationFailed) as err:  # a replaced one cannot be replaced twice
        services.record_instruction(
            instruction_data([activity.id], supersedes_id=given.id), actor=instructor, now=clock()
        )
        services.record_instruction(
            instruction_data([activity.id], supersedes_id=given.id), actor=instructor, now=clock()
        )
    assert "supersedes_id" in err.value.fields


def test_refused_roles_and_the_foreign_municipality(given, staff, make_user, rennes, clock):
    support = staff.actor(staff.support)
    assert services.read_instruction(given.id, actor=support, now=clock()) == given
    with pytest.raises(Forbidden):
        decisions.acknowledge(given.id, actor=support, now=clock())
    with pytest.raises(Forbidden):
        decisions.flag(
            given.id, {"reason": REASON}, actor=staff.actor(staff.controller_dpo), now=clock()
        )
    admin = staff.actor(make_user("admin"))
    with pytest.raises(Forbidden):
        services.read_instruction(given.id, actor=admin, now=clock())
    stranger = staff.actor(make_user("instructor", rennes))
    with pytest.raises(NotFound):
        services.read_instruction(given.id, actor=stranger, now=clock())
    with pytest.raises(NotFound):
        decisions.withdraw(given.id, {}, actor=stranger, now=clock())
    with pytest.raises(Forbidden):  # the processor does not give instructions
        services.record_instruction(
            instruction_data([1]), actor=staff.actor(staff.processor_dpo), now=clock()
        )


def test_an_auditor_reads_its_municipality_only(given, staff, make_user, metz, rennes, clock):
    auditor = make_user(
        "auditor",
        metz,
        controller_id=metz.id,
        valid_from_on=date(2026, 3, 1),
        valid_until_on=date(2026, 3, 31),
    )
    found = services.list_instructions(actor=staff.actor(auditor), now=clock())
    assert [i.id for i in found.items] == [given.id]
    other = make_user(
        "auditor",
        rennes,
        controller_id=rennes.id,
        valid_from_on=date(2026, 3, 1),
        valid_until_on=date(2026, 3, 31),
    )
    assert services.list_instructions(actor=staff.actor(other), now=clock()).total == 0


def test_the_processor_dpo_sees_the_effective_day_in_mes_echeances(app, given, staff, clock):
    from rgpd_app.clocks.services import echeances_for

    with app.test_request_context():
        found = echeances_for(staff.actor(staff.processor_dpo), now=clock())
        [item] = [e for e in found if e.kind == "instruction-effective"]
        assert item.deadline == date(2026, 3, 9) and given.reference in item.title
        assert not [
            e
            for e in echeances_for(staff.actor(staff.support), now=clock())
            if e.kind == "instruction-effective"
        ]
