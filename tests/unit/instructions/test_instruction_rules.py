from datetime import date

from rgpd_app.instructions import rules
from rgpd_app.instructions.rules import Facts, in_force


def test_a_suspended_instruction_cannot_be_applied():
    found = rules.refusal(rules.APPLY, rules.SUSPENDED)
    assert found.code == "instruction_suspended"
    assert rules.refusal(rules.APPLY, rules.CONFIRMED) is None
    assert rules.APPLY not in rules.allowed_actions(rules.SUSPENDED)


def test_an_acknowledged_instruction_is_never_edited():
    assert rules.refusal(rules.EDIT, rules.GIVEN) is None
    assert rules.refusal(rules.EDIT, rules.ACKNOWLEDGED).code == "instruction_locked"


def test_only_a_suspended_instruction_is_confirmed():
    assert rules.refusal(rules.CONFIRM, rules.ACKNOWLEDGED).code == "not_suspended"


def test_cnil_referral_needs_the_processors_alert_and_happens_once():
    assert rules.can_refer_to_cnil(False, None).code == "not_flagged"
    assert rules.can_refer_to_cnil(True, None) is None
    assert rules.can_refer_to_cnil(True, date(2026, 3, 3)).code == "already_referred"


OLD = Facts(1, rules.APPLIED, date(2026, 1, 1))


def test_the_latest_instruction_to_take_effect_is_in_force():
    newer = Facts(2, rules.ACKNOWLEDGED, date(2026, 2, 1))
    assert in_force([OLD, newer], [], date(2026, 1, 31)) == OLD
    assert in_force([OLD, newer], [], date(2026, 2, 1)) == newer


def test_a_correction_replaces_the_old_one_from_its_effective_day():
    fix = Facts(2, rules.GIVEN, date(2026, 3, 9), supersedes_id=1)
    assert in_force([OLD], [fix], date(2026, 3, 8)) == OLD
    assert in_force([OLD], [fix], date(2026, 3, 9)) is None  # the fix concerns other processings
    assert in_force([OLD, fix], [fix], date(2026, 3, 9)) == fix


def test_a_suspended_or_withdrawn_correction_leaves_the_old_one_in_force():
    for state in (rules.SUSPENDED, rules.WITHDRAWN):
        fix = Facts(2, state, date(2026, 3, 9), supersedes_id=1)
        assert in_force([OLD, fix], [fix], date(2026, 4, 1)) == OLD


def test_nothing_is_in_force_before_the_first_instruction_takes_effect():
    assert in_force([OLD], [], date(2025, 12, 31)) is None
    assert in_force([], [], date(2026, 1, 1)) is None
