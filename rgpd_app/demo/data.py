"""The demo's fixed data: the processor, three municipalities (one in Moselle) and the standard
processings each municipality's register starts with (some with special data, DESIGN §2)."""

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


def _simple(name, purpose, subjects, categories, recipients, persons, operations, measures,
            legal_bases=("public_task",)):  # fmt: skip
    return {
        "name": name,
        "purposes": [{"label": purpose}],
        "legal_bases": list(legal_bases),
        "data_subjects": list(subjects),
        "data_categories": [
            {**_category(label, purpose, years), **flags} for label, years, flags in categories
        ],
        "recipients": list(recipients),
        "estimated_persons": persons,
        "operations": list(operations),
        "measures": [{"family": f, "description": d} for f, d in measures],
    }


SPECIAL = {"is_special": True}
CRIMINAL = {"is_criminal": True}
PROCESSINGS += [
    _simple("Aide sociale facultative (CCAS)", "Instruire et verser les aides du CCAS",
            ["Demandeurs d'aide", "Membres du foyer"],
            [("Ressources et situation familiale", 5, {})],
            ["Agents du CCAS", "Trésorerie"], 350,
            ["hosting", "corrective_maintenance", "backup"],
            [("access_control", "Habilitations nominatives par dossier"),
             ("encryption", "Chiffrement des pièces justificatives")]),
    _simple("Police municipale : main courante", "Tenir la main courante et les rapports",
            ["Personnes mises en cause", "Plaignants"],
            [("Identité", 6, {}), ("Infractions constatées", 6, CRIMINAL)],
            ["Agents de police municipale", "Procureur de la République"], 800,
            ["hosting", "corrective_maintenance"],
            [("traceability", "Journal de chaque consultation"),
             ("access_control", "Accès limité aux agents assermentés")]),
    _simple("Liste électorale", "Tenir la liste électorale (REU)", ["Électeurs"],
            [("Identité et adresse", 6, {})], ["Service élections", "INSEE (REU)"], 15000,
            ["hosting", "data_integration", "backup"],
            [("backup", "Sauvegarde quotidienne chiffrée")], ("legal_obligation",)),
    _simple("Gestion du personnel et paie", "Payer les agents et gérer leur carrière",
            ["Agents municipaux"],
            [("Identité et RIB", 5, {}), ("Gabarit d'empreinte de la badgeuse", 1, SPECIAL)],
            ["Service RH", "Centre de gestion", "URSSAF"], 220,
            ["hosting", "corrective_maintenance", "evolutive_maintenance", "backup"],
            [("access_control", "Droits limités au service RH"),
             ("encryption", "Chiffrement des bulletins archivés")], ("legal_obligation",)),
    _simple("Inscriptions au conservatoire", "Inscrire les élèves et facturer les cours",
            ["Élèves", "Parents"], [("Coordonnées", 3, {}), ("Quotient familial", 3, {})],
            ["Conservatoire", "Trésorerie"], 400, ["hosting", "support"],
            [("access_control", "Accès réservé au conservatoire")]),
    _simple("Cimetière et concessions", "Gérer les concessions funéraires",
            ["Concessionnaires", "Défunts"], [("Identité et adresse", 50, {})],
            ["Service cimetière"], 5000, ["hosting", "migration"],
            [("backup", "Sauvegarde hebdomadaire")]),
    _simple("Portail famille : réservations périscolaires",
            "Réserver la garderie et le centre de loisirs",
            ["Familles", "Enfants"],
            [("Coordonnées des parents", 3, {}), ("Photographie de l'enfant", 1, {})],
            ["Service enfance"], 1100, ["hosting", "support", "evolutive_maintenance"],
            [("access_control", "Comptes familles protégés par mot de passe"),
             ("software_protection", "Mises à jour de sécurité mensuelles")]),
    _simple("Demandes de logement social", "Enregistrer et suivre les demandes de logement",
            ["Demandeurs", "Membres du foyer"],
            [("Ressources", 6, {}), ("Situation familiale", 6, {})],
            ["Service logement", "Bailleurs sociaux"], 260, ["hosting", "corrective_maintenance"],
            [("access_control", "Accès par habilitation")]),
]  # fmt: skip

# One municipality's newsletter goes through a mailing service in the United States: a
# transfer outside the EU that waits for the municipality's written consent (annex art. 4.2).
NEWSLETTER = _simple(
    "Lettre d'information municipale", "Envoyer la lettre d'information aux abonnés",
    ["Abonnés"], [("Adresse électronique", 3, {})], ["Service communication"], 2500,
    ["hosting", "support"], [("access_control", "Désinscription en un clic")],
    ("consent",),
)  # fmt: skip
NEWSLETTER["transfers"] = [
    {"country": "US", "recipient": "Mailjet Inc. (envoi des courriels)", "safeguard": "sccs",
     "safeguard_documentation": "Clauses contractuelles types 2021/914, module 3"},
]  # fmt: skip
