from rgpd_app.accounts.models import User
from rgpd_app.extensions import db
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.models import ProcessingActivity
from tests.conftest import PASSWORD


def count(model):
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_create_org_refuses_a_bad_siren_and_writes_nothing(runner):
    result = runner.invoke(
        args=["rgpd", "create-org", "Commune", "--siren", "123456789", "--departement", "57"]
    )
    assert result.exit_code != 0 and "SIREN invalide" in result.output
    assert count(Organisation) == 0


def test_create_org_then_admin_then_user_and_token(runner):
    assert (
        runner.invoke(
            args=[
                "rgpd",
                "create-org",
                "Éditeur",
                "--siren",
                "452109861",
                "--departement",
                "35",
                "--processor",
            ]
        ).exit_code
        == 0
    )
    second = runner.invoke(
        args=[
            "rgpd",
            "create-org",
            "Autre",
            "--siren",
            "213502388",
            "--departement",
            "35",
            "--processor",
        ]
    )
    assert second.exit_code != 0 and "qu'un" in second.output
    admin = runner.invoke(args=["rgpd", "create-admin", "admin@editeur.fr"], input=PASSWORD + "\n")
    assert admin.exit_code == 0, admin.output
    weak = runner.invoke(args=["rgpd", "create-admin", "admin2@editeur.fr"], input="azerty\n")
    assert weak.exit_code != 0 and "12 caractères" in weak.output
    assert (
        runner.invoke(
            args=["rgpd", "create-org", "Metz", "--siren", "215704636", "--departement", "57"]
        ).exit_code
        == 0
    )
    user = runner.invoke(
        args=[
            "rgpd",
            "create-user",
            "dpo@metz.fr",
            "--org",
            "215704636",
            "--role",
            "controller_dpo",
        ],
        input=PASSWORD + "\n",
    )
    assert user.exit_code == 0, user.output
    wrong_role = runner.invoke(
        args=["rgpd", "create-user", "x@metz.fr", "--org", "215704636", "--role", "support"],
        input=PASSWORD + "\n",
    )
    assert wrong_role.exit_code != 0 and "sous-traitant" in wrong_role.output
    assert count(User) == 2
    token = runner.invoke(args=["rgpd", "token", "dpo@metz.fr"])
    assert token.exit_code == 0 and token.output.startswith("rgpd_")
    assert runner.invoke(args=["rgpd", "token", "nobody@metz.fr"]).exit_code != 0
    yearly = runner.invoke(args=["rgpd", "token", "dpo@metz.fr", "--days", "365"])
    assert yearly.exit_code == 0
    assert runner.invoke(args=["rgpd", "token", "dpo@metz.fr", "--days", "366"]).exit_code != 0


def test_demo_loads_once_with_one_user_per_role(runner):
    first = runner.invoke(args=["rgpd", "demo"])
    assert first.exit_code == 0
    for role in (
        "admin",
        "processor_dpo",
        "security_officer",
        "support",
        "controller_dpo",
        "instructor",
        "auditor",
    ):
        assert role in first.output
    towns = db.session.scalars(
        db.select(Organisation).where(Organisation.kind == "controller")
    ).all()
    assert len(towns) == 3 and any(t.calendar_code == "57" for t in towns)
    entries = db.session.scalars(db.select(ProcessingActivity)).all()
    assert sorted({e.controller_id for e in entries}) == sorted(t.id for t in towns)
    assert len(entries) >= 30  # the scenario itself is checked in tests/integration/test_demo.py
    users = count(User)
    again = runner.invoke(args=["rgpd", "demo"])
    assert "déjà" in again.output and count(User) == users
