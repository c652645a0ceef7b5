from datetime import date, timedelta

import pytest

from rgpd_app.accounts import grants, services, tokens
from rgpd_app.accounts.models import User
from rgpd_app.accounts.users import services as management
from rgpd_app.errors import DomainError, Forbidden, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.foundation.tenancy import visible_controller_ids
from tests.conftest import PASSWORD


def actions():
    return [e.action for e in db.session.scalars(db.select(JournalEntry).order_by(JournalEntry.id))]


def test_login_succeeds_with_the_right_password(make_user, clock):
    user = make_user("support")
    assert services.authenticate(user.email, PASSWORD, now=clock()) == user


def test_unknown_account_and_wrong_password_get_the_same_message(make_user, clock):
    user = make_user("support")
    with pytest.raises(services.LoginFailed) as unknown:
        services.authenticate("nobody@example.org", PASSWORD, now=clock())
    with pytest.raises(services.LoginFailed) as wrong:
        services.authenticate(user.email, "not the password", now=clock())
    assert unknown.value.message == wrong.value.message
    assert actions()[-2:] == ["login.failed", "login.failed"]


def test_fifth_failure_locks_the_account_for_fifteen_minutes(make_user, clock):
    user = make_user("support")
    for _ in range(5):
        with pytest.raises(services.LoginFailed):
            services.authenticate(user.email, "wrong", now=clock())
    assert "account.locked" in actions()
    clock.advance(minutes=14)
    with pytest.raises(services.LoginFailed):  # even the right password, while locked
        services.authenticate(user.email, PASSWORD, now=clock())
    clock.advance(minutes=1)
    assert services.authenticate(user.email, PASSWORD, now=clock()) == user


def test_disabled_account_cannot_log_in(make_user, clock):
    admin = make_user("admin")
    user = make_user("support")
    management.set_enabled(user, False, actor=actor_for(admin, clock()), now=clock())
    with pytest.raises(services.LoginFailed):
        services.authenticate(user.email, PASSWORD, now=clock())


def test_password_change_twice_a_day_then_refused_until_tomorrow(make_user, clock):
    user = make_user("support")
    actor = actor_for(user, clock())
    services.change_password(
        user, PASSWORD, "Premier-mot-de-passe-tres-long", actor=actor, now=clock()
    )
    services.change_password(
        user,
        "Premier-mot-de-passe-tres-long",
        "Second-mot-de-passe-bien-long",
        actor=actor,
        now=clock(),
    )
    with pytest.raises(DomainError) as refused:
        services.change_password(
            user,
            "Second-mot-de-passe-bien-long",
            "Troisieme-mot-de-passe-refuse",
            actor=actor,
            now=clock(),
        )
    assert refused.value.code == "password_change_limit"
    db.session.rollback()
    clock.advance(days=1)
    services.change_password(
        user,
        "Second-mot-de-passe-bien-long",
        "Troisieme-mot-de-passe-admis",
        actor=actor,
        now=clock(),
    )


def test_common_password_is_refused_and_nothing_changes(make_user, clock):
    user = make_user("support")
    old_hash = user.password_hash
    with pytest.raises(ValidationFailed) as err:
        services.change_password(
            user, PASSWORD, "password1234", actor=actor_for(user, clock()), now=clock()
        )
    assert "new_password" in err.value.fields
    db.session.rollback()
    assert db.session.get(User, user.id).password_hash == old_hash


def test_administrator_reset_is_not_limited_and_ends_sessions(make_user, clock):
    admin, user = make_user("admin"), make_user("support")
    version = user.session_version
    for n in range(3):
        services.reset_password(
            user, f"Nouveau-mot-de-passe-{n}-solide", actor=actor_for(admin, clock()), now=clock()
        )
    assert user.session_version == version + 3


def test_nobody_grants_themselves_a_role(make_user, clock):
    admin = make_user("admin")
    with pytest.raises(DomainError) as err:
        grants.grant_role(admin, "support", actor=actor_for(admin, clock()), now=clock())
    assert err.value.code == "role_refused"


def test_admin_cannot_also_be_processor_dpo(make_user, clock):
    admin, other_admin = make_user("admin"), make_user("admin")
    with pytest.raises(DomainError, match="cumulés"):
        grants.grant_role(
            other_admin, "processor_dpo", actor=actor_for(admin, clock()), now=clock()
        )


def test_controller_dpo_manages_only_its_municipality(make_org, make_user, clock):
    town, other = make_org(), make_org()
    dpo = make_user("controller_dpo", town)
    colleague = make_user("instructor", town)
    stranger = make_user("instructor", other)
    grants.grant_role(colleague, "controller_dpo", actor=actor_for(dpo, clock()), now=clock())
    with pytest.raises(DomainError):
        grants.grant_role(stranger, "controller_dpo", actor=actor_for(dpo, clock()), now=clock())
    with pytest.raises(DomainError):
        grants.grant_role(colleague, "support", actor=actor_for(dpo, clock()), now=clock())


def test_auditor_grant_is_one_controller_and_ends_by_itself(make_org, make_user, clock):
    town, other = make_org(), make_org()
    start = clock().date()
    auditor = make_user(
        "auditor",
        town,
        controller_id=town.id,
        valid_from_on=start,
        valid_until_on=start + timedelta(days=10),
    )
    actor = actor_for(auditor, clock())
    assert actor.roles == {"auditor"}
    assert visible_controller_ids(actor) == {town.id}
    assert other.id not in visible_controller_ids(actor)
    clock.advance(days=11)
    assert actor_for(auditor, clock()).roles == frozenset()


def test_auditor_grant_needs_a_controller_and_dates(make_org, make_user, clock):
    town = make_org()
    with pytest.raises(DomainError, match="une seule collectivité"):
        make_user("auditor", town, valid_from_on=date(2026, 3, 1), valid_until_on=date(2026, 4, 1))


def test_revoking_a_role_ends_the_users_sessions(make_user, clock):
    admin, user = make_user("admin"), make_user("support")
    version = user.session_version
    grants.revoke_role(user.grants[0], actor=actor_for(admin, clock()), now=clock())
    assert user.session_version == version + 1
    assert actor_for(user, clock()).roles == frozenset()


def test_api_tokens_are_stored_hashed_and_revocable(make_user, clock):
    user = make_user("support")
    token = tokens.create_token(user, label="ci", actor=None, now=clock())
    from rgpd_app.accounts.models import ApiToken

    row = db.session.scalar(db.select(ApiToken))
    assert token not in (row.token_hash, row.prefix) and row.prefix == token[:12]
    assert tokens.user_for_token(token, now=clock()) == user
    tokens.revoke_token(row.id, actor=actor_for(user, clock()), now=clock())
    assert tokens.user_for_token(token, now=clock()) is None


def test_a_token_lives_90_days_unless_asked_at_most_a_year(make_user, clock):
    user = make_user("support")
    row, token = tokens.issue_token(user, label="ci", actor=None, now=clock())
    assert row.expires_at == clock() + timedelta(days=90)
    yearly, _ = tokens.issue_token(user, label="ci", actor=None, now=clock(), valid_days=365)
    assert yearly.expires_at == clock() + timedelta(days=365)
    with pytest.raises(ValidationFailed) as err:
        tokens.issue_token(user, label="ci", actor=None, now=clock(), valid_days=366)
    assert "valid_days" in err.value.fields


def test_a_token_past_its_expiry_is_refused(make_user, clock):
    user = make_user("support")
    token = tokens.create_token(user, label="ci", actor=None, now=clock(), valid_days=1)
    clock.advance(hours=23, minutes=59)
    assert tokens.user_for_token(token, now=clock()) == user
    clock.advance(minutes=1)
    assert tokens.user_for_token(token, now=clock()) is None


def test_a_password_change_revokes_the_users_tokens(make_user, clock):
    user = make_user("support")
    token = tokens.create_token(user, label="ci", actor=None, now=clock())
    other = tokens.create_token(make_user("support"), label="ci", actor=None, now=clock())
    services.change_password(
        user, PASSWORD, "Un-autre-long-chemin-de-halage-7", actor=actor_for(user, clock()),
        now=clock(),
    )  # fmt: skip
    assert tokens.user_for_token(token, now=clock()) is None
    assert tokens.user_for_token(other, now=clock()) is not None  # only that user's
    assert actions()[-2:] == ["token.revoked", "account.password_changed"]


def test_a_password_reset_revokes_the_users_tokens(make_user, clock):
    admin, user = make_user("admin"), make_user("support")
    token = tokens.create_token(user, label="ci", actor=None, now=clock())
    services.reset_password(
        user, "Un-autre-long-chemin-de-halage-7", actor=actor_for(admin, clock()), now=clock()
    )
    assert tokens.user_for_token(token, now=clock()) is None
    revoked = db.session.scalars(
        db.select(JournalEntry).where(JournalEntry.action == "token.revoked")
    ).one()
    assert revoked.user_id == admin.id and "account.password_reset" in revoked.details


def test_totp_code_is_accepted_once(make_user, clock):
    import pyotp

    user = make_user("support", totp=True)
    code = pyotp.TOTP(user.totp_secret).at(clock().timestamp())
    services.verify_totp(user, code, now=clock())
    db.session.commit()
    with pytest.raises(DomainError, match="incorrect"):
        services.verify_totp(user, code, now=clock())


def test_user_list_is_refused_to_support(make_user, clock):
    with pytest.raises(Forbidden):
        management.list_users(actor=actor_for(make_user("support"), clock()), now=clock())


def test_auditor_grant_dates_are_paris_days(make_org, make_user, clock):
    from datetime import UTC, datetime

    town = make_org()
    clock.set(datetime(2026, 6, 9, 12, 0, tzinfo=UTC))
    auditor = make_user(
        "auditor",
        town,
        controller_id=town.id,
        valid_from_on=date(2026, 6, 10),
        valid_until_on=date(2026, 6, 10),
    )
    clock.set(datetime(2026, 6, 9, 22, 30, tzinfo=UTC))  # already 10 June, 00:30 in Paris
    assert actor_for(auditor, clock()).roles == {"auditor"}
    clock.set(datetime(2026, 6, 10, 22, 30, tzinfo=UTC))  # 11 June in Paris: over
    assert actor_for(auditor, clock()).roles == frozenset()
