"""Demo data: a processor, three municipalities (one in Moselle), one user per role and a
small register (three standard processings per municipality, two of them validated)."""

from datetime import datetime, timedelta

from rgpd_app.accounts import management, rules
from rgpd_app.organisations import services as organisations
from rgpd_app.register import services as register
from rgpd_app.register.choices import VALIDATED
from rgpd_app.tenancy import actor_for

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


def _category(label: str, purpose: str, years: int) -> dict:
    return {"label": label, "purpose": purpose, "retention_value": years, "retention_unit": "years"}


PROCESSINGS = [
    {
        "name": "Instruction des autorisations d'urbanisme",
        "purposes": [{"label": "Instruire les demandes de permis et déclarations préalables"}],
        "legal_bases": ["legal_obligation"],
        "data_subjects": ["Demandeurs", "Propriétaires voisins"],
        "data_categories": [
            _category("Identité et coordonnées du demandeur",
                      "Instruire les demandes de permis et déclarations préalables", 10),
            _category("Références cadastrales et plans",
                      "Instruire les demandes de permis et déclarations préalables", 10),
        ],
        "recipients": ["Service urbanisme", "DDT (services de l'État)"],
        "estimated_persons": 600,
        "operations": ["hosting", "corrective_maintenance", "data_integration", "backup"],
        "measures": [
            {"family": "access_control", "description": "Comptes nominatifs, droits par service"},
            {"family": "backup", "description": "Sauvegarde quotidienne chiffrée, hors site"},
        ],
    },
    {
        "name": "Gestion de l'état civil",
        "purposes": [{"label": "Établir et délivrer les actes d'état civil"}],
        "legal_bases": ["legal_obligation"],
        "data_subjects": ["Administrés"],
        "data_categories": [
            _category("État civil", "Établir et délivrer les actes d'état civil", 75),
        ],
        "recipients": ["Officiers d'état civil", "Procureur de la République"],
        "estimated_persons": 20000,
        "operations": ["hosting", "corrective_maintenance", "support", "backup"],
        "measures": [
            {"family": "traceability", "description": "Journal des consultations et éditions"},
            {"family": "encryption", "description": "Chiffrement des sauvegardes (AES-256)"},
        ],
    },
    {
        "name": "Cantine scolaire",
        "purposes": [{"label": "Inscrire les enfants et facturer les repas"}],
        "legal_bases": ["public_task"],
        "data_subjects": ["Familles", "Enfants"],
        "data_categories": [
            _category("Coordonnées des parents", "Inscrire les enfants et facturer les repas", 5),
            _category("Quotient familial", "Inscrire les enfants et facturer les repas", 5),
        ],
        "recipients": ["Service enfance", "Trésorerie"],
        "estimated_persons": 900,
        "operations": ["hosting", "support"],
        "measures": [{"family": "access_control", "description": "Accès réservé au service"}],
    },
]  # fmt: skip


def _load_register(towns, keeper, *, now: datetime) -> None:
    """Each standard processing for each municipality; the first two validated."""
    actor = actor_for(keeper, now)
    for town in towns:
        for index, data in enumerate(PROCESSINGS):
            made = register.create_activity(
                {"controller_id": town.id, **data}, actor=actor, now=now
            )
            if index < 2:
                register.change_status(made.id, VALIDATED, actor=actor, now=now)


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
