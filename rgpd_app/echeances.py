"""Every "Mes échéances" provider and every dashboard task provider, listed in one place.

Nothing registers itself by being imported: the échéances service (rgpd_app.clocks.services)
asks exactly these, whichever modules were imported before. Each provider is
``fn(actor, now)`` and returns only what the actor may see; the service sorts the results, so
the order here does not matter.
"""

from rgpd_app.audits import echeances as audits
from rgpd_app.breaches import echeances as breaches
from rgpd_app.clocks import services as clocks
from rgpd_app.deposits import echeances as deposits
from rgpd_app.exports.jobs import services as exports
from rgpd_app.instructions import echeances as instructions
from rgpd_app.notifications import services as outbox
from rgpd_app.requests import echeances as requests
from rgpd_app.subprocessors import echeances as subprocessors

PROVIDERS: dict[str, clocks.Provider] = {
    "contract-end": clocks.contract_ends,
    "audits": audits.audit_echeances,
    "breaches": breaches.breach_echeances,
    "deposits": deposits.deposit_echeances,
    "instructions": instructions.instruction_echeances,
    "requests": requests.request_echeances,
    "subprocessor_windows": subprocessors.window_echeances,
}

TASK_PROVIDERS: dict[str, clocks.TaskProvider] = {
    "exports": exports.ready_exports,
    "outbox": outbox.failed_messages,
    "audits": audits.audit_tasks,
    "instructions": instructions.instruction_tasks,
}
