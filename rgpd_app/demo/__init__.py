"""The demo: a processor, three municipalities (one in Moselle), one user per role, 33
processings, and live cases played from 75 days ago to now (`cases`), so that every role's
dashboard has work on first login. `scale.add_municipalities` adds generated ones."""

from datetime import datetime, timedelta

from rgpd_app.accounts.users import services as management
from rgpd_app.demo import cases
from rgpd_app.demo.data import MUNICIPALITIES, NEWSLETTER, PROCESSINGS, PROCESSOR
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import actor_for
from rgpd_app.organisations import services as organisations
from rgpd_app.register import services as register
from rgpd_app.register.choices import VALIDATED

HISTORY_DAYS = 75  # the organisations and the register exist since then
VALIDATED_COUNT = 7  # of each municipality's standard processings, the first ones are validated


def _load_register(towns, keeper, *, now: datetime) -> None:
    """Each standard processing for each municipality, the first ones validated; Montigny's
    newsletter (a transfer to the United States awaiting its consent) stays a draft."""
    actor = actor_for(keeper, now)
    for town in towns:
        for index, data in enumerate(PROCESSINGS):
            made = register.create_activity(
                {"controller_id": town.id, **data}, actor=actor, now=now
            )
            if index < VALIDATED_COUNT:
                register.change_status(made.id, VALIDATED, actor=actor, now=now)
    register.create_activity({"controller_id": towns[0].id, **NEWSLETTER}, actor=actor, now=now)


def load_demo(*, now: datetime, password_factory) -> list[tuple[str, str, str]]:
    """Create the demo organisations, users and cases; returns (email, role, password) once."""
    if organisations.processor() is not None:
        return []
    with cases.at(now - timedelta(days=HISTORY_DAYS)) as then:
        created = _load_people(now=then, until=now, password_factory=password_factory)
    cases.play(now)
    return created


def _contract(municipality: dict, now: datetime, until: datetime) -> dict:
    """Maintenance contracts of four years; Colmar's ends in about seven months, so that its
    renewal shows on the administrator's and the DPOs' dashboards (shown 12 months ahead)."""
    ends = until + timedelta(days=210) if "Colmar" in municipality["name"] else None
    start = now.date().replace(day=1)
    return {
        **municipality,
        "contract_start_on": start,
        "contract_end_on": (ends.date() if ends else start.replace(year=start.year + 4)),
    }


def _load_people(*, now: datetime, until: datetime, password_factory):
    proc = organisations.create_organisation(PROCESSOR, is_processor=True, actor=None, now=now)
    towns = [
        organisations.create_organisation(_contract(m, now, until), actor=None, now=now)
        for m in MUNICIPALITIES
    ]
    people = [
        ("admin@logiciels-publics.example", "Alice Admin", proc, roles.ADMIN, {}),
        ("dpo@logiciels-publics.example", "Claire Martin", proc, roles.PROCESSOR_DPO, {}),
        ("securite@logiciels-publics.example", "Samir Benali", proc, roles.SECURITY_OFFICER, {}),
        ("support@logiciels-publics.example", "Julie Petit", proc, roles.SUPPORT, {}),
        ("dpo@montigny.example", "Paul Lefèvre", towns[0], roles.CONTROLLER_DPO, {}),
        ("instructions@montigny.example", "Marc Weber", towns[0], roles.INSTRUCTOR, {}),
        ("dpo@cesson.example", "Inès Roux", towns[1], roles.CONTROLLER_DPO, {}),
        ("dpo@colmar.example", "Luc Meyer", towns[2], roles.CONTROLLER_DPO, {}),
        (
            "auditeur@cabinet-audit.example",
            "Nora Audit",
            towns[0],
            roles.AUDITOR,
            {
                "controller_id": towns[0].id,
                "valid_from_on": now.date(),
                "valid_until_on": until.date() + timedelta(days=90),
            },
        ),
    ]
    created, users = [], {}
    for email, name, org, role, extra in people:
        password = password_factory()
        users[email] = management.create_user(
            email=email,
            name=name,
            organisation=org,
            password=password,
            role=role,
            actor=None,
            now=now,
            **extra,
        )
        created.append((email, role, password))
    _load_register(towns, users["dpo@logiciels-publics.example"], now=now)
    return created
