"""The menu and the breadcrumb, grouped by domain and shaped by the signed-in user's roles.

One list of sections says where each page belongs; who may see a link is never written here:
it is the roles the link's own view requires (`web.roles_required` stores them on the view),
so the menu cannot drift from the access rules. A page that is not a menu entry belongs to the
section of its blueprint (a processing's page to "Registre"), which the breadcrumb names.
"""

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: str


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    entries: tuple[Entry, ...]
    blueprints: tuple[str, ...] = ()  # pages outside the entries that belong here


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", _l("Tableau de bord"), (
        Entry("main.dashboard", _l("Mon travail")),
        Entry("clocks.echeances", _l("Mes échéances")),
        Entry("clocks.calculator", _l("Calculateur de délais")),
    ), ("main", "clocks")),
    Section("register", _l("Registre"), (
        Entry("register.index", _l("Traitements")),
        Entry("register.new", _l("Nouveau traitement")),
        Entry("register_files.import_start", _l("Importer un registre")),
    ), ("register", "register_files")),
    Section("subprocessing", _l("Sous-traitance"), (
        Entry("instructions.index", _l("Instructions écrites")),
        Entry("instructions.in_force", _l("Instructions en vigueur")),
        Entry("subprocessor_notices.index", _l("Changements de sous-traitants")),
        Entry("subprocessors.index", _l("Sous-traitants ultérieurs")),
        Entry("subprocessors.mine", _l("Nos sous-traitants ultérieurs")),
    ), ("instructions", "subprocessor_notices", "subprocessors")),
    Section("audits", _l("Audits"), (
        Entry("audits.index", _l("Audits")),
        Entry("audits.new", _l("Demander un audit")),
    ), ("audits", "audit_actions")),
    Section("breaches", _l("Violations"), (
        Entry("breaches.index", _l("Violations et avis")),
        Entry("breaches.register", _l("Registre des violations")),
        Entry("breaches.new", _l("Déclarer une violation")),
    ), ("breaches", "breach_notices")),
    Section("requests", _l("Demandes"), (
        Entry("requests.index", _l("Demandes des personnes")),
        Entry("requests.new", _l("Enregistrer une demande")),
        Entry("requests.ask", _l("Demander l'assistance")),
    ), ("requests",)),
    Section("files", _l("Fichiers"), (
        Entry("deposits.index", _l("Dépôts de fichiers")),
        Entry("deposits.interventions", _l("Interventions")),
        Entry("exports.index", _l("Mes exports")),
    ), ("deposits", "exports")),
    Section("journal", _l("Journal"), (
        Entry("journal.index", _l("Journal des accès et actions")),
        Entry("evidence.index", _l("Paquets de preuves")),
        Entry("evidence.verify", _l("Vérifier un paquet")),
    ), ("journal", "evidence")),
    Section("admin", _l("Administration"), (
        Entry("organisations.index", _l("Organisations")),
        Entry("users.index", _l("Comptes")),
        Entry("notifications.index", _l("Messages sortants")),
    ), ("organisations", "users", "notifications")),
)  # fmt: skip


def may_open(endpoint: str, actor) -> bool:
    """Whether `actor` passes the roles `endpoint`'s view requires (no roles: any user)."""
    view = current_app.view_functions.get(endpoint)
    roles = getattr(view, "required_roles", None)
    if roles is None:  # not behind roles_required: never offered in the menu
        return False
    return not roles or actor.has(*roles)


def current_section(endpoint: str | None, blueprint: str | None) -> Section | None:
    for section in SECTIONS:
        if any(entry.endpoint == endpoint for entry in section.entries):
            return section
    for section in SECTIONS:
        if blueprint in section.blueprints:
            return section
    return None


def menu_for(actor) -> list[dict]:
    """The sections with at least one link `actor` may open, each link marked if current: a
    function of the roles held now, the page, the language and where the app is mounted, which
    the template's menu is kept rendered for (templating.main_nav)."""
    endpoint, blueprint = request.endpoint, request.blueprint
    here = current_section(endpoint, blueprint)
    menu = []
    for section in SECTIONS:
        links = [
            {"url": url_for(e.endpoint), "label": str(e.label), "current": e.endpoint == endpoint}
            for e in section.entries
            if may_open(e.endpoint, actor)
        ]
        if links:
            menu.append({"key": section.key, "label": str(section.label), "links": links,
                         "current": section is here})  # fmt: skip
    return menu


def breadcrumb_for(actor, title: str) -> list[dict]:
    """Home › section › its entry when the page is below it › the page: the last has no url."""
    endpoint = request.endpoint
    crumbs = [{"label": gettext("Accueil"), "url": url_for("main.dashboard")}]
    section = current_section(endpoint, request.blueprint)
    if section is not None and section.key != "dashboard":
        first = next((e for e in section.entries if may_open(e.endpoint, actor)), None)
        crumbs.append({"label": str(section.label),
                       "url": url_for(first.endpoint) if first else None})  # fmt: skip
        owner = _owner_entry(section, endpoint, actor)
        if owner is not None and owner.endpoint != endpoint:
            crumbs.append({"label": str(owner.label), "url": url_for(owner.endpoint)})
    if endpoint != "main.dashboard":
        if crumbs[-1]["label"] == title:  # the section's own list: "Audits", not "Audits › Audits"
            crumbs[-1]["url"] = None
        else:
            crumbs.append({"label": title, "url": None})
    return crumbs


def _owner_entry(section: Section, endpoint: str | None, actor) -> Entry | None:
    """The list a detail page is below: the entry of the same blueprint whose view is `index`."""
    if endpoint is None or any(e.endpoint == endpoint for e in section.entries):
        return None
    blueprint = endpoint.rsplit(".", 1)[0]
    for entry in section.entries:
        if entry.endpoint == f"{blueprint}.index" and may_open(entry.endpoint, actor):
            return entry
    return None


def reachable_entries() -> list[Entry]:
    """Every menu entry (tests check each one against its view's access rule)."""
    return [entry for section in SECTIONS for entry in section.entries]
