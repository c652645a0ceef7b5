"""Jinja filters and globals shared by every template."""

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import before_render_template, g, request, url_for
from flask_babel import format_date, get_locale, get_translations, gettext
from flask_login import current_user
from markupsafe import Markup

from deadlines import format_day_fr
from rgpd_app import navigation
from rgpd_app.clocks.rules import time_left_fr
from rgpd_app.errors import translated, translated_fields
from rgpd_app.fragments import fragment
from rgpd_app.journal.actions import action_label
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
    "auditor_access_days": "Accès de l'auditeur après réception du rapport (jours)",
}


# French names of the form fields most forms share, for the error summary at the top of a form
# (the message itself also stands next to its field). Others fall back to a readable name.
FIELD_LABELS = {
    "name": "Nom", "label": "Libellé", "legal_name": "Raison sociale", "email": "Adresse e-mail",
    "password": "Mot de passe", "new_password": "Nouveau mot de passe", "code": "Code",
    "current_password": "Mot de passe actuel", "confirm_password": "Confirmation",
    "siren": "SIREN", "departement": "Département", "address": "Adresse", "country": "Pays",
    "contact": "Contact", "start": "Début", "start_on": "Début", "end_on": "Fin",
    "contract_start_on": "Début du contrat", "contract_end_on": "Fin du contrat",
    "controller_id": "Collectivité", "organisation_id": "Organisation", "role": "Rôle",
    "recipient": "Destinataire", "purpose": "Finalité", "purposes": "Finalité",
    "data_categories": "Catégorie de données", "transfers": "Transfert", "auditors": "Auditeur",
    "nda": "Accord de confidentialité", "reference": "Référence", "firm": "Cabinet",
    "reason": "Motif", "text": "Texte", "subject": "Objet", "file": "Fichier",
    "aware_at": "Prise de connaissance", "started_at": "Début", "ended_at": "Fin",
    "retention_value": "Durée de conservation", "retention_criterion": "Critère de conservation",
    "clock": "Délai", "calendar": "Calendrier", "length": "Durée", "format": "Format",
    "version": "Version", "summary": "Résumé", "details": "Précisions", "note": "Note",
    "question": "Question", "scope": "Périmètre", "proof": "Preuve", "enabled": "Actif",
    "period_from": "Début de la période auditée", "period_to": "Fin de la période auditée",
    "reaudit_of_id": "Audit précédent", "ask_agreement": "Demande d'accord",
    "activity_ids": "Traitements concernés", "organisation_ids": "Collectivités concernées",
    "controller_ids": "Collectivités", "intervention_id": "Intervention",
    "recipient_email": "Adresse e-mail du destinataire", "attachments": "Pièces jointes",
    "contract_reference": "Référence du contrat", "dpo_name": "Nom du DPO",
    "dpo_email": "Adresse e-mail du DPO", "dpo_phone": "Téléphone du DPO",
    "subprocessor_ids": "Sous-traitants ultérieurs", "request_id": "Demande",
    "controller_received_on": "Reçue par la collectivité le", "received_at": "Reçue le",
    "received_on": "Reçu le", "retention_months": "Durée de conservation (mois)",
    "child_id": "Sous-traitant ultérieur", "activities": "Activités confiées",
    "dpa_reference": "Référence du contrat de sous-traitance",
    "dpa_valid_until_on": "Contrat de sous-traitance valable jusqu'au",
    "processing_countries": "Pays de traitement",
    "transfer_documentation": "Documentation du transfert",
    "kind": "Type", "channel": "Reçue par", "organisation": "Collectivité",
    "requester_identity": "Identité du demandeur",
}  # fmt: skip


def field_label(name: str, labels: dict[str, str] | None = None) -> str:
    """ "data_categories.0.label" → "Catégorie de données 1 — Libellé"; a form's own `labels`
    come before the shared FIELD_LABELS."""
    parts = [p for p in name.replace("-", ".").replace("[", ".").replace("]", "").split(".") if p]
    text = ""
    for part in parts:
        if part.isdigit():
            text += f" {int(part) + 1} —"
        else:
            word = (labels or {}).get(part) or FIELD_LABELS.get(part)
            readable = part.strip("_").replace("_", " ").capitalize()
            text += " " + (gettext(word) if word else readable)
    return text.strip(" —") or name


def hours_fr(value: float) -> str:
    """71.5 → "71,5"; 72.0 → "72" (French decimal comma)."""
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


def paris(value, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(PARIS).strftime(fmt)


def day_text(value) -> str:
    """A day written out in the page's language: "mardi 29 septembre 2026" (French usage, the
    clocks' own wording) or "Tuesday 29 September 2026"."""
    if get_locale() is not None and get_locale().language == "en":
        return format_date(value, "EEEE d MMMM y")
    return format_day_fr(value)


def catalogue():
    """The current language's translations, looked up once per request: Flask-Babel's own
    lookup (domain, context, locale, cache key) cost ~20 µs for each of a page's 40 strings.
    Kept where Flask-Babel's `force_locale` and `refresh` reset it, so that an e-mail in its
    recipient's language, or a language just changed, is still translated as it should be."""
    state = g.get("_flask_babel") if g else None
    found = getattr(state, "babel_translations", None)
    if found is None:
        found = get_translations()
        state = g.get("_flask_babel") if g else None
        if state is not None:
            state.babel_translations = found
    return found


# The characters url_for leaves as they are in a query string (werkzeug.urls._urlencode).
QUERY_SAFE = "!$'()*,/:;?@"


def list_url(endpoint: str, path_args: dict | None = None, /, **changes) -> str:
    """`endpoint`'s URL (with `path_args`) carrying this request's query arguments, `changes`
    replacing some (None drops one): the links of a list's sort headers and pager, which keep
    its filters. What url_for would give, the path built once per request: through a template,
    url_for with the query rebuilt cost ~40 µs for each of a list page's links."""
    paths = g.setdefault("_rgpd_list_paths", {})
    key = (endpoint, tuple(path_args.items()) if path_args else ())
    path = paths.get(key)
    if path is None:
        path = paths[key] = url_for(endpoint, **(path_args or {}))
    args = {**request.args.to_dict(), **changes}
    query = urlencode([(k, v) for k, v in args.items() if v is not None], safe=QUERY_SAFE)
    return f"{path}?{query}" if query else path


def sort_th(label: str, key: str, sort: str) -> Markup:
    """A sortable column's header: a link that sorts the list by `key`, then reverses it; `sort`
    is the list's current sort ("-" in front when descending). The other filters stay in the
    URL. (A function rather than a macro: a list has four to six of them.)"""
    current, descending = sort.lstrip("-") == key, sort.startswith("-")
    next_sort = ("" if descending else "-") + key if current else key
    href = list_url(request.endpoint, request.view_args, sort=next_sort, page=1)
    order, arrow = ("descending", "▼") if descending else ("ascending", "▲")
    aria = Markup(' aria-sort="%s"') % order if current else ""
    mark = Markup(' <span aria-hidden="true">%s</span>') % arrow if current else ""
    return Markup('<th scope="col"%s>\n    <a class="sort" href="%s">%s%s</a></th>') % (
        aria,
        href,
        label,
        mark,
    )


def init_app(app) -> None:
    from rgpd_app.web import current_actor

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )

    app.jinja_env.filters["paris"] = paris
    app.jinja_env.filters["jour"] = day_text  # a date as "vendredi 11 décembre 2026"
    app.jinja_env.filters["heures"] = hours_fr
    # "2026-12-07T10:00:00+00:00" → "07/12/2026": the day of an ISO text, read as it is written
    app.jinja_env.filters["iso_day"] = lambda text: f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    app.jinja_env.filters["rolepair"] = lambda role, labels: (role, gettext(labels[role]))
    # `label|tr`: a French label or message held in a variable (ROLE_LABELS, N_(...)) in the
    # current language.
    app.jinja_env.filters["tr"] = translated
    app.jinja_env.filters["orgpair"] = lambda org: (org.id, org.name)

    @before_render_template.connect_via(app)
    def _translate_form_errors(_app, template, context, **_extra):
        # Services give French messages (rgpd_app.messages); a form shows them in its language.
        if isinstance(context.get("errors"), dict):
            context["errors"] = translated_fields(context["errors"])

    # The menu and the breadcrumb are functions of the roles held, the page and the language
    # (rgpd_app.navigation): kept rendered, they cost a lookup, not a tenth of the page's time.
    def main_nav():
        actor = current_actor()
        key = (actor.roles, request.endpoint, request.blueprint)
        return fragment(key, "_nav.html", lambda: {"menu": navigation.menu_for(actor)})

    def breadcrumb_nav(title: str):
        if not current_user.is_authenticated:
            return ""
        actor = current_actor()
        key = (actor.roles, request.endpoint, request.blueprint, str(title))
        return fragment(
            key, "_breadcrumb.html", lambda: {"crumbs": navigation.breadcrumb_for(actor, title)}
        )

    app.jinja_env.globals.update(
        get_locale=get_locale,
        field_label=field_label,
        main_nav=main_nav,
        breadcrumb_nav=breadcrumb_nav,
        current_actor=current_actor,
        list_url=list_url,
        sort_th=sort_th,
        # "reste 3 jours" / "échue depuis 2 heures" (clock boxes), in the page's language
        time_left=lambda due_at, now: translated(time_left_fr(due_at, now)),
        period_names=lambda: list(PERIOD_DEFAULTS),
        action_label=lambda action: translated(action_label(action)),
        period_label=lambda name: gettext(PERIOD_LABELS[name]) if name in PERIOD_LABELS else name,
    )
