"""Demo data: a processor, three municipalities (one in Moselle) and one user per role."""

from datetime import datetime, timedelta

from rgpd_app.accounts import management, rules
from rgpd_app.organisations import services as organisations

PROCESSOR = {
    "name": "Logiciels Publics SAS",
    "siren": "452109861",
    "departement": "35",
    "address": "12 rue des Lices, 35000 Rennes",
    "dpo_name": "Claire Martin",
    "dpo_email": "dpo@logiciels-publics.example",
}
MUNICIPALITIES = [
    {
        "name": "Commune de Montigny-lès-Metz",
        "siren": "215704636",
        "departement": "57",
        "address": "Place de la Mairie, 57950 Montigny-lès-Metz",
        "dpo_name": "Paul Lefèvre",
        "dpo_email": "dpo@montigny.example",
        "contract_reference": "MAINT-2025-057",
    },
    {
        "name": "Commune de Cesson-Sévigné",
        "siren": "213502388",
        "departement": "35",
        "address": "1 esplanade de l'Hôtel de Ville, 35510 Cesson-Sévigné",
        "dpo_name": "Inès Roux",
        "dpo_email": "dpo@cesson.example",
        "contract_reference": "MAINT-2025-035",
    },
    {
        "name": "Commune de Colmar",
        "siren": "216800664",
        "departement": "68",
        "address": "1 place de la Mairie, 68000 Colmar",
        "dpo_name": "Luc Meyer",
        "dpo_email": "dpo@colmar.example",
        "contract_reference": "MAINT-2025-068",
    },
]


def load_demo(*, now: datetime, password_factory) -> list[tuple[str, str, str]]:
    """Create the demo organisations and users; returns (email, role, password) once."""
    if organisations.processor() is not None:
        return []
    proc = organisations.create_organisation(PROCESSOR, is_processor=True, actor=None, now=now)
    towns = [organisations.create_organisation(m, actor=None, now=now) for m in MUNICIPALITIES]
    people = [
        ("admin@logiciels-publics.example", "Alice Admin", proc, rules.ADMIN, {}),
        ("dpo@logiciels-publics.example", "Claire Martin", proc, rules.PROCESSOR_DPO, {}),
        ("securite@logiciels-publics.example", "Samir Benali", proc, rules.SECURITY_OFFICER, {}),
        ("support@logiciels-publics.example", "Julie Petit", proc, rules.SUPPORT, {}),
        ("dpo@montigny.example", "Paul Lefèvre", towns[0], rules.CONTROLLER_DPO, {}),
        ("instructions@montigny.example", "Marc Weber", towns[0], rules.INSTRUCTOR, {}),
        ("dpo@cesson.example", "Inès Roux", towns[1], rules.CONTROLLER_DPO, {}),
        ("dpo@colmar.example", "Luc Meyer", towns[2], rules.CONTROLLER_DPO, {}),
        (
            "auditeur@cabinet-audit.example",
            "Nora Audit",
            towns[0],
            rules.AUDITOR,
            {
                "controller_id": towns[0].id,
                "valid_from_on": now.date(),
                "valid_until_on": now.date() + timedelta(days=90),
            },
        ),
    ]
    created = []
    for email, name, org, role, extra in people:
        password = password_factory()
        management.create_user(
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
    return created
