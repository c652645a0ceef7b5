"""rgpd_app: a GDPR processor's contract duties, clocks and evidence."""

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Application factory: config → extensions → blueprints → errors → cli."""
    from rgpd_app import config

    app = Flask(
        __name__,
        instance_path=config.instance_path(test_config),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    config.load(app, test_config)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client address of the rate limits and the journal comes from the last N hops.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)

    from rgpd_app import extensions

    extensions.init_app(app)

    from rgpd_app import models  # noqa: F401  (registers every table on the metadata)
    from rgpd_app.blueprints import register_blueprints
    from rgpd_app.validation import DatabaseInt

    # An id in a path past what the database stores is no page (404), not a server error.
    app.url_map.converters["int"] = DatabaseInt

    register_blueprints(app)

    from rgpd_app import api_auth, web
    from rgpd_app.accounts import services as accounts
    from rgpd_app.accounts import tokens

    web.init_session_users(accounts.load_session_user)
    api_auth.init_app(app, find_token=tokens.active_token)

    from rgpd_app import echeances
    from rgpd_app.clocks import services as clocks

    clocks.use_listed(echeances)  # the échéances providers, listed beside the blueprints

    from rgpd_app import export_kinds
    from rgpd_app.exports.jobs import services as export_jobs

    export_jobs.use_kinds(export_kinds.KINDS)  # the long exports' kinds, listed likewise

    from rgpd_app import errors, security, templating

    errors.init_app(app)
    security.init_app(app)
    templating.init_app(app)

    from rgpd_app import cli

    cli.init_app(app)
    return app
