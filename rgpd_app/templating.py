"""Jinja filters and globals shared by every template."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from rgpd_app.accounts import rules
from rgpd_app.organisations.models import PERIOD_DEFAULTS

PARIS = ZoneInfo("Europe/Paris")

PERIOD_LABELS = {
    "breach_processor_hours": "Violation : information du responsable (heures, objectif interne)",
    "breach_authority_hours": "Violation : notification à la CNIL (heures)",
    "objection_days": "Opposition à un sous-traitant (jours)",
    "audit_notice_days": "Préavis d'audit (jours avant le début)",
    "auditor_refusal_days": "Refus de l'auditeur (jours)",
    "audit_observations_days": "Observations sur le rapport d'audit (jours)",
    "audit_corrective_months": "Mesures correctives (mois)",
    "audit_interval_months": "Intervalle entre deux audits (mois)",
    "assistance_days": "Assistance aux demandes de personnes (jours)",
    "assistance_extension_days": "Prolongation de l'assistance (jours)",
}


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: str
    roles: tuple[str, ...]  # empty: every logged-in user


# Domains append their entries; the menu shows those the current user's roles allow.
NAV: list[NavLink] = [
    NavLink("clocks.echeances", "Mes échéances", ()),
    NavLink("clocks.calculator", "Calculateur de délais", ()),
    NavLink(
        "register.index",
        "Registre",
        (rules.PROCESSOR_DPO, rules.SECURITY_OFFICER, rules.SUPPORT, rules.CONTROLLER_DPO,
         rules.INSTRUCTOR, rules.AUDITOR),
    ),  # fmt: skip
    NavLink("users.index", "Comptes", (rules.ADMIN, rules.CONTROLLER_DPO)),
    NavLink("notifications.index", "Messages sortants", (rules.ADMIN,)),
    NavLink(
        "breaches.index",
        "Violations",
        (rules.SECURITY_OFFICER, rules.PROCESSOR_DPO, *rules.CONTROLLER_ROLES, rules.AUDITOR),
    ),
    NavLink(
        "deposits.index",
        "Dépôts de fichiers",
        (rules.SUPPORT, rules.SECURITY_OFFICER, rules.PROCESSOR_DPO, rules.CONTROLLER_DPO),
    ),
    NavLink(
        "journal.index",
        "Journal",
        (rules.PROCESSOR_DPO, rules.SECURITY_OFFICER, rules.CONTROLLER_DPO),
    ),
]


def paris(value, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(PARIS).strftime(fmt)


def init_app(app) -> None:
    from rgpd_app.web import current_actor

    app.jinja_env.filters["paris"] = paris
    app.jinja_env.filters["rolepair"] = lambda role, labels: (role, gettext(labels[role]))
    # `label|tr`: a French label held in a variable (ROLE_LABELS...) in the current language.
    app.jinja_env.filters["tr"] = gettext
    app.jinja_env.filters["orgpair"] = lambda org: (org.id, org.name)

    def nav_links():
        if not current_user.is_authenticated:
            return []
        actor = current_actor()
        return [
            {"url": url_for(link.endpoint), "label": gettext(link.label)}
            for link in NAV
            if not link.roles or actor.has(*link.roles)
        ]

    app.jinja_env.globals.update(
        get_locale=get_locale,
        nav_links=nav_links,
        current_actor=current_actor,
        period_names=lambda: list(PERIOD_DEFAULTS),
        period_label=lambda name: gettext(PERIOD_LABELS[name]) if name in PERIOD_LABELS else name,
    )
