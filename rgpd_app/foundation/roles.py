"""The roles a person may hold and their French labels (annex §1, DESIGN.md §1)."""

ADMIN = "admin"
PROCESSOR_DPO = "processor_dpo"
SECURITY_OFFICER = "security_officer"
SUPPORT = "support"
CONTROLLER_DPO = "controller_dpo"
INSTRUCTOR = "instructor"
AUDITOR = "auditor"

PROCESSOR_ROLES = (ADMIN, PROCESSOR_DPO, SECURITY_OFFICER, SUPPORT)
CONTROLLER_ROLES = (CONTROLLER_DPO, INSTRUCTOR)
ALL_ROLES = (*PROCESSOR_ROLES, *CONTROLLER_ROLES, AUDITOR)

ROLE_LABELS = {
    ADMIN: "Administrateur",
    PROCESSOR_DPO: "DPO du sous-traitant",
    SECURITY_OFFICER: "Responsable sécurité",
    SUPPORT: "Agent support",
    CONTROLLER_DPO: "DPO de la collectivité",
    INSTRUCTOR: "Donneur d'instructions habilité",
    AUDITOR: "Auditeur",
}
