"""Who may do what in the register (the processor DPO keeps it; admin never handles data)."""

from rgpd_app.foundation.roles import (
    AUDITOR,
    CONTROLLER_DPO,
    INSTRUCTOR,
    PROCESSOR_DPO,
    SECURITY_OFFICER,
    SUPPORT,
)

READERS = (PROCESSOR_DPO, SECURITY_OFFICER, SUPPORT, CONTROLLER_DPO, INSTRUCTOR, AUDITOR)
EDITORS = (PROCESSOR_DPO, CONTROLLER_DPO)  # the controller DPO: its own controller side only
KEEPER = PROCESSOR_DPO  # validates, archives, copies, edits both sides


def can_edit_processor_side(actor) -> bool:
    return actor.has(PROCESSOR_DPO) and actor.is_processor_staff


def can_edit(actor) -> bool:
    return actor.has(*EDITORS)
