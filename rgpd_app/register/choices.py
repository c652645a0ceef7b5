"""The register's closed lists and their French labels (CNIL register's activity sheet)."""

DRAFT = "draft"
VALIDATED = "validated"
ARCHIVED = "archived"
STATUSES = {DRAFT: "Brouillon", VALIDATED: "Validé", ARCHIVED: "Archivé"}

# Art. 30(2)(b): categories of processing carried out on behalf of the controller.
OPERATIONS = {
    "hosting": "Hébergement",
    "corrective_maintenance": "Maintenance corrective",
    "evolutive_maintenance": "Maintenance évolutive",
    "data_integration": "Intégration de données (ex. import annuel du cadastre)",
    "backup": "Sauvegarde",
    "support": "Assistance aux utilisateurs",
    "migration": "Reprise ou migration de données",
    "other": "Autre",
}

# Art. 30(2)(d) / 32: the CNIL register's families of security measures.
MEASURE_FAMILIES = {
    "access_control": "Contrôle d'accès des utilisateurs",
    "traceability": "Mesures de traçabilité",
    "software_protection": "Mesures de protection des logiciels",
    "backup": "Sauvegarde des données",
    "encryption": "Chiffrement des données",
    "subprocessor_control": "Contrôle des sous-traitants",
    "other": "Autres mesures",
}

# Art. 6(1) GDPR.
LEGAL_BASES = {
    "consent": "Consentement (art. 6.1.a)",
    "contract": "Exécution d'un contrat (art. 6.1.b)",
    "legal_obligation": "Obligation légale (art. 6.1.c)",
    "vital_interests": "Sauvegarde des intérêts vitaux (art. 6.1.d)",
    "public_task": "Mission d'intérêt public (art. 6.1.e)",
    "legitimate_interests": "Intérêt légitime (art. 6.1.f)",
}

# Art. 46 / 47 / 45 / 49 GDPR.
ADEQUACY = "adequacy"
SCCS = "sccs"
BCRS = "bcrs"
DEROGATION = "art49"
SAFEGUARDS = {
    ADEQUACY: "Décision d'adéquation (art. 45)",
    SCCS: "Clauses contractuelles types (art. 46)",
    BCRS: "Règles d'entreprise contraignantes (art. 47)",
    DEROGATION: "Dérogation pour situation particulière (art. 49)",
}

MONTHS = "months"
YEARS = "years"
RETENTION_UNITS = {MONTHS: "mois", YEARS: "ans"}

REINFORCED_SECURITY = "reinforced_security"
TASK_KINDS = {REINFORCED_SECURITY: "Mettre en place une sécurité renforcée (données sensibles)"}

VERSION_ACTIONS = {
    "created": "Création",
    "updated": "Modification",
    "validated": "Validation",
    "archived": "Archivage",
    "copied": "Copie d'un traitement type",
}
