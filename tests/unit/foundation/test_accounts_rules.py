from datetime import UTC, date, datetime, timedelta

from rgpd_app.accounts import rules
from rgpd_app.foundation.roles import (
    ADMIN,
    AUDITOR,
    CONTROLLER_DPO,
    INSTRUCTOR,
    PROCESSOR_DPO,
    SECURITY_OFFICER,
    SUPPORT,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def grant(
    role, *, granter_roles, same_person=False, granter_org=1, target_org=1, target_is_processor=True
):
    return rules.grant_refusals(
        granter_id=1,
        granter_roles=set(granter_roles),
        granter_org_id=granter_org,
        granter_is_processor=granter_org == 1,
        target_id=1 if same_person else 2,
        target_org_id=target_org,
        target_is_processor=target_is_processor,
        role=role,
    )


def test_nobody_grants_a_role_to_themselves_not_even_an_administrator():
    assert grant(SUPPORT, granter_roles={ADMIN}, same_person=True)


def test_only_an_administrator_grants_processor_roles():
    assert grant(SUPPORT, granter_roles={ADMIN}) == []
    assert grant(SUPPORT, granter_roles={PROCESSOR_DPO})


def test_a_controller_dpo_manages_its_own_municipality_only():
    kwargs = dict(granter_roles={CONTROLLER_DPO}, granter_org=5, target_is_processor=False)
    assert grant(INSTRUCTOR, target_org=5, **kwargs) == []
    assert grant(INSTRUCTOR, target_org=6, **kwargs)


def test_processor_roles_cannot_go_to_a_municipality_account():
    assert grant(SECURITY_OFFICER, granter_roles={ADMIN}, target_is_processor=False)


def test_auditor_cannot_hold_any_other_role():
    assert rules.role_conflicts({CONTROLLER_DPO}, AUDITOR)
    assert rules.role_conflicts({AUDITOR}, INSTRUCTOR)
    assert rules.role_conflicts(set(), AUDITOR) == []


def test_administrator_is_not_also_processor_dpo_or_security_officer():
    assert rules.role_conflicts({ADMIN}, PROCESSOR_DPO)
    assert rules.role_conflicts({SECURITY_OFFICER}, ADMIN)
    assert rules.role_conflicts({ADMIN}, SUPPORT) == []


def test_unknown_role_is_refused_by_name():
    assert grant("superuser", granter_roles={ADMIN}) == ["Rôle inconnu : superuser."]


def test_two_factor_is_mandatory_for_processor_roles_only():
    assert rules.requires_totp({SUPPORT})
    assert rules.requires_totp({ADMIN})
    assert not rules.requires_totp({CONTROLLER_DPO})
    assert not rules.requires_totp({AUDITOR})


def test_short_and_guessable_passwords_are_refused_with_reasons():
    assert rules.password_problems("court", score=0)[0].startswith("Le mot de passe doit contenir")
    assert len(rules.password_problems("motdepasse123", score=0)) == 1
    assert rules.password_problems("Vaste-plaine-sous-la-neige-42", score=4) == []


def test_password_may_not_contain_the_login():
    problems = rules.password_problems("jean.dupont-2026!", score=4, user_inputs=["jean.dupont"])
    assert "identifiant" in problems[0]


def test_two_password_changes_per_calendar_day_then_refused():
    today = date(2026, 3, 2)
    first = rules.password_change_allowance(
        changes_on=None, count=0, today=today, max_per_day=2, by_admin=False
    )
    third = rules.password_change_allowance(
        changes_on=today, count=2, today=today, max_per_day=2, by_admin=False
    )
    next_day = rules.password_change_allowance(
        changes_on=today, count=2, today=today + timedelta(days=1), max_per_day=2, by_admin=False
    )
    assert first.allowed and not third.allowed and next_day.allowed


def test_an_administrator_reset_is_not_limited():
    today = date(2026, 3, 2)
    assert rules.password_change_allowance(
        changes_on=today, count=9, today=today, max_per_day=2, by_admin=True
    ).allowed


def test_yearly_renewal_only_when_the_policy_asks():
    changed = NOW - timedelta(days=365)
    assert rules.password_expired(changed_at=changed, now=NOW, renewal_required=True)
    assert not rules.password_expired(changed_at=changed, now=NOW, renewal_required=False)
    assert not rules.password_expired(
        changed_at=NOW - timedelta(days=364), now=NOW, renewal_required=True
    )


def test_fifth_failure_locks_for_fifteen_minutes():
    failures, until = 0, None
    for _ in range(4):
        failures, until = rules.after_failure(failures, NOW, max_failures=5, lock_minutes=15)
        assert until is None
    failures, until = rules.after_failure(failures, NOW, max_failures=5, lock_minutes=15)
    assert until == NOW + timedelta(minutes=15)
    assert rules.is_locked(until, NOW + timedelta(minutes=14, seconds=59))
    assert not rules.is_locked(until, NOW + timedelta(minutes=15))


def test_grant_periods_sharing_a_single_day_overlap():
    assert rules.periods_overlap(date(2026, 4, 1), date(2026, 4, 30), date(2026, 4, 30), None)
    assert not rules.periods_overlap(date(2026, 4, 1), date(2026, 4, 29), date(2026, 4, 30), None)


def test_a_grant_without_dates_overlaps_every_period():
    assert rules.periods_overlap(None, None, date(2027, 1, 1), date(2027, 1, 2))
    assert rules.periods_overlap(date(2027, 1, 1), None, None, date(2027, 1, 1))
    assert not rules.periods_overlap(date(2027, 1, 2), None, None, date(2027, 1, 1))
