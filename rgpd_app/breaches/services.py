"""Breach use cases, one module per concept, gathered here for the views, the API and the CLI
(the worker's jobs and the "Mes échéances" provider are listed in rgpd_app/jobs.py and
rgpd_app/echeances.py)."""

from rgpd_app.breaches.cnil_form import cnil_form, cnil_form_pdf
from rgpd_app.breaches.decisions import record_cnil_notification, record_decision
from rgpd_app.breaches.notices.services import (
    confirm_notice,
    delivery,
    get_notice,
    letter_pdf,
    list_notices,
    record_acknowledgement,
    record_letter,
    sync_receptions,
)
from rgpd_app.breaches.recording import (
    get_breach,
    link_activities,
    linked_activities,
    list_breaches,
    record_breach,
    remove_municipality,
    set_municipality,
    suggested_organisation_ids,
    update_breach,
)
from rgpd_app.breaches.register import journal_export, register_page, register_rows
from rgpd_app.breaches.reminders import send_reminders

__all__ = [
    "cnil_form",
    "cnil_form_pdf",
    "confirm_notice",
    "delivery",
    "get_breach",
    "get_notice",
    "letter_pdf",
    "link_activities",
    "linked_activities",
    "list_breaches",
    "list_notices",
    "journal_export",
    "record_acknowledgement",
    "record_breach",
    "record_cnil_notification",
    "record_decision",
    "record_letter",
    "register_page",
    "register_rows",
    "remove_municipality",
    "send_reminders",
    "set_municipality",
    "suggested_organisation_ids",
    "sync_receptions",
    "update_breach",
]


def receptions_job(now):
    return sync_receptions(now)


def reminders_job(now):
    return send_reminders(now)
