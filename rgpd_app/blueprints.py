"""Every blueprint, registered in one place."""


def register_blueprints(app) -> None:
    from rgpd_app import main_views, openapi
    from rgpd_app.accounts import api as accounts_api
    from rgpd_app.accounts import user_views
    from rgpd_app.accounts import views as accounts_views
    from rgpd_app.clocks import api as clocks_api
    from rgpd_app.clocks import views as clocks_views
    from rgpd_app.journal import api as journal_api
    from rgpd_app.journal import views as journal_views
    from rgpd_app.notifications import api as notifications_api
    from rgpd_app.notifications import views as notifications_views
    from rgpd_app.organisations import api as organisations_api
    from rgpd_app.organisations import views as organisations_views
    from rgpd_app.web import init_idle_expiry

    for module in (
        main_views, accounts_views, user_views, organisations_views, journal_views,
        accounts_api, organisations_api, journal_api, openapi,
        notifications_views, notifications_api,
        clocks_views, clocks_api,
    ):  # fmt: skip
        app.register_blueprint(module.bp)
    init_idle_expiry(app)
