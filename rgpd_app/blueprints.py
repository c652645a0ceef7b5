"""Every blueprint, registered in one place."""


def register_blueprints(app) -> None:
    from rgpd_app import main_views, openapi
    from rgpd_app.accounts import api as accounts_api
    from rgpd_app.accounts import reauth
    from rgpd_app.accounts import views as accounts_views
    from rgpd_app.accounts.oidc import views as oidc_views
    from rgpd_app.accounts.users import views as user_views
    from rgpd_app.audits import api as audits_api
    from rgpd_app.audits import portal as audit_portal
    from rgpd_app.audits import views as audits_views
    from rgpd_app.audits.actions import views as audit_actions
    from rgpd_app.breaches import api as breaches_api
    from rgpd_app.breaches import views as breaches_views
    from rgpd_app.breaches.notices import views as breach_notice_views
    from rgpd_app.clocks import api as clocks_api
    from rgpd_app.clocks import views as clocks_views
    from rgpd_app.deposits import api as deposits_api
    from rgpd_app.deposits import views as deposits_views
    from rgpd_app.evidence import api as evidence_api
    from rgpd_app.evidence import views as evidence_views
    from rgpd_app.exports.jobs import api as exports_api
    from rgpd_app.exports.jobs import views as exports_views
    from rgpd_app.instructions import api as instructions_api
    from rgpd_app.instructions import views as instructions_views
    from rgpd_app.journal import api as journal_api
    from rgpd_app.journal import views as journal_views
    from rgpd_app.notifications import api as notifications_api
    from rgpd_app.notifications import views as notifications_views
    from rgpd_app.operations import counters as operations_counters
    from rgpd_app.operations import health
    from rgpd_app.organisations import api as organisations_api
    from rgpd_app.organisations import views as organisations_views
    from rgpd_app.register import api as register_api
    from rgpd_app.register import views as register_views
    from rgpd_app.register.files import views as register_file_views
    from rgpd_app.requests import api as requests_api
    from rgpd_app.requests import views as requests_views
    from rgpd_app.subprocessors import api as subprocessors_api
    from rgpd_app.subprocessors import views as subprocessors_views
    from rgpd_app.subprocessors.notices import api as subprocessor_notices_api
    from rgpd_app.subprocessors.notices import views as subprocessor_notices_views
    from rgpd_app.web import init_idle_expiry

    for module in (
        health, main_views, accounts_views, oidc_views, reauth, user_views,
        organisations_views, journal_views,
        accounts_api, organisations_api, journal_api, openapi,
        notifications_views, notifications_api,
        clocks_views, clocks_api,
        deposits_views, deposits_api,
        exports_views, exports_api,
        evidence_views, evidence_api,
        register_views, register_file_views, register_api,
        audits_views, audit_actions, audits_api,
        instructions_views, instructions_api,
        requests_views, requests_api,
        breaches_views, breach_notice_views, breaches_api,
        subprocessors_views, subprocessor_notices_views,
        subprocessors_api, subprocessor_notices_api,
    ):  # fmt: skip
        app.register_blueprint(module.bp)
    init_idle_expiry(app)
    operations_counters.init_app(app)  # per-endpoint request counts and latencies
    # Every answer an auditor gets is journaled (the audit's page shows them to the DPO).
    app.after_request(audit_portal.journal_auditor_read)
