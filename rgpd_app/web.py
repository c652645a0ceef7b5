"""Web session glue: the current actor, role-guarded views, flashes, idle expiry, paging."""

from functools import wraps

import flask
from flask import current_app, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from rgpd_app import clock
from rgpd_app.errors import Forbidden, translated
from rgpd_app.extensions import login_manager
from rgpd_app.foundation.actor import Actor, actor_for
from rgpd_app.messages import N_

# Health probes and the metrics scrape (operations/health.py): answered without a session.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# The session's last activity is written at most this often (seconds): a page that changes
# nothing else then sends no new cookie (SESSION_REFRESH_EACH_REQUEST is off). An idle session
# so ends between 29 and 30 minutes after its last page, never later.
SEEN_EVERY = 60


def init_session_users(load_user) -> None:
    """Flask-Login finds a session's user with `load_user` (given by create_app from accounts:
    this module sits below the domains and imports none of them)."""
    login_manager.user_loader(load_user)


def current_actor() -> Actor:
    if "actor" not in g:
        if not current_user.is_authenticated:
            raise Forbidden(N_("Authentification requise."))
        g.actor = actor_for(current_user._get_current_object(), clock.now())
    return g.actor


def flash(message: str, category: str = "message") -> None:
    """flask.flash in the reader's language: `message` is French (a literal `N_(...)`, a
    DomainError's message), and the session keeps only plain text."""
    flask.flash(translated(message), category)


def roles_required(*roles: str):
    """Login required, then 403 unless the user holds one of `roles` (none given: any role)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            actor = current_actor()
            if roles and not actor.has(*roles):
                raise Forbidden()
            return view(*args, **kwargs)

        # The menu reads this (rgpd_app.navigation): a link is shown to whoever may open it.
        wrapped.required_roles = tuple(roles)
        return wrapped

    return decorator


def form_errors_of(err) -> dict:
    """A refused form's errors to show again (nothing kept); a refused role or a foreign
    municipality stays a 403/404."""
    from rgpd_app.errors import ValidationFailed
    from rgpd_app.extensions import db

    if err.status in (403, 404):
        raise err
    db.session.rollback()
    if isinstance(err, ValidationFailed):
        return dict(err.fields)
    return {"_form": [err.message], **err.fields}


def page_arg() -> int:
    value = request.args.get("page", "1")
    if not (value.isascii() and value.isdigit()):  # "²" passes isdigit, not int()
        return 1
    return min(10**6, max(1, int(value)))  # past it: a 500 on SQLite


def init_idle_expiry(app) -> None:
    @app.before_request
    def _expire_idle_session():
        if request.path.startswith(("/static/", "/api/")) or request.path in PROBE_PATHS:
            return None  # probes and scrapes neither open nor extend a session
        if not session.permanent:  # setting it marks the session changed
            session.permanent = True
        now = clock.now().timestamp()
        last = session.get("seen")
        limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        if current_user.is_authenticated:
            # Idle expiry, then the absolute lifetime (ASVS 7.3.2): activity never keeps a
            # session alive past SESSION_MAX_HOURS after the sign-in.
            # (A session signed in before this rule existed starts counting now.)
            started = session.setdefault("started", now)
            most = current_app.config["SESSION_MAX_HOURS"] * 3600
            idle = last is not None and now - last > limit
            if idle or now - started > most:
                logout_user()
                session.clear()
                return redirect(url_for("accounts.login", expired=1))
        if last is None or not 0 <= now - last < SEEN_EVERY:
            session["seen"] = now
        return None
