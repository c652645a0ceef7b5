"""ASVS 5.0 V6.3.8: every refused login does the same work and gives the same answer, whether
the account is unknown, the password wrong, the account locked or disabled — so that neither
the page nor the time tells them apart. The work is counted (Argon2 verifications, journal
entries, commits), not timed: `bench/login_timing.py` prints the medians."""

import pytest
from sqlalchemy import func, select

from rgpd_app.accounts import passwords
from rgpd_app.accounts.users import services as management
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.foundation.journal import JournalEntry
from tests.conftest import PASSWORD
from tests.web.test_auth_web import login

WRONG = "Pas-le-bon-mot-de-passe-7"


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = passwords.check_password

    def counting(password_hash, password):
        calls.append(password_hash is not None)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "check_password", counting)
    return calls


def _entries() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


def _outcomes(client, make_org, make_user, clock, app):
    town = make_org("Commune de Thionville")
    wrong = make_user("controller_dpo", town)
    locked = make_user("controller_dpo", town)
    disabled = make_user("controller_dpo", town)
    management.set_enabled(disabled, False, actor=actor_for(make_user("admin"), clock()),
                           now=clock())  # fmt: skip
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, locked.email, WRONG)
    return {
        "unknown": ("personne.inconnue@example.org", WRONG),
        "wrong": (wrong.email, WRONG),
        "locked": (locked.email, WRONG),
        "locked, right password": (locked.email, PASSWORD),
        "disabled": (disabled.email, PASSWORD),
    }


def test_v6_3_8_every_refusal_costs_one_argon2_verification_and_answers_the_same(
    client, make_org, make_user, clock, app, counted
):
    outcomes = _outcomes(client, make_org, make_user, clock, app)
    answers = {}
    for name, (email, password) in outcomes.items():
        counted.clear()
        before = _entries()
        response = login(client, email, password)
        answers[name] = (response.status_code, response.get_data(as_text=True).split("<main", 1)[1])
        assert len(counted) == 1, f"{name}: {len(counted)} Argon2 verifications"
        assert _entries() - before >= 1, f"{name}: nothing journaled"
    bodies = {answers[name][1].replace(email, "") for name, (email, _) in outcomes.items()}
    assert {status for status, _ in answers.values()} == {401}
    assert len(bodies) == 1, "the pages differ between refusals"
