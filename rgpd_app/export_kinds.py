"""Every kind of long export, listed in one place (like the blueprints and the worker's jobs).

Nothing registers itself by being imported: create_app hands exactly these to the exports' queue
(rgpd_app.exports.jobs.services.use_kinds), whichever modules were imported before. Each name is
the `kind` a queued job keeps in the database.
"""

from rgpd_app.evidence import jobs as evidence
from rgpd_app.exports.jobs.services import Kind
from rgpd_app.register import copy_jobs, exporting

KINDS: dict[str, Kind] = {
    "register": exporting.EXPORT,
    copy_jobs.KIND: copy_jobs.EXPORT,
    evidence.KIND: evidence.EXPORT,
}
