"""Re-authentication before sensitive actions (ASVS 5.0 V7.5.1, V7.5.3): granting roles,
creating API tokens, exporting a whole register, building an evidence pack.

Such an action needs an identity confirmed in the last REAUTH_MINUTES: the password again, and
the two-factor code for an account that has one (processor roles always do). A sign-in counts
as a confirmation. A wrong password or code counts towards the lockout, as at sign-in."""

from datetime import datetime
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from rgpd_app import clock
from rgpd_app.accounts import passwords, services
from rgpd_app.accounts.oidc import services as oidc_services
from rgpd_app.errors import DomainError
from rgpd_app.extensions import db, limiter
from rgpd_app.foundation.journal import record
from rgpd_app.messages import N_
from rgpd_app.web import flash

bp = Blueprint("reauth", __name__)

CONFIRMED = "confirmed_at"  # in the session: when the identity was last confirmed


def mark_confirmed(now: datetime) -> None:
    session[CONFIRMED] = now.timestamp()


def is_confirmed(now: datetime) -> bool:
    at = session.get(CONFIRMED)
    limit = current_app.config["REAUTH_MINUTES"] * 60
    return at is not None and 0 <= now.timestamp() - at <= limit


def safe_next(target: str | None) -> str:
    """A path of ours to come back to (never another site)."""
    parts = urlsplit(target or "")
    foreign = parts.netloc and parts.netloc != request.host  # a referrer is a full URL
    if foreign or not parts.path.startswith("/") or parts.path.startswith("//"):
        return url_for("main.dashboard")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def confirmation_required(when=lambda: True):
    """The view runs only for an identity confirmed lately (when `when()` says the request is
    a sensitive one); otherwise the person confirms it first, then comes back: to the same
    page for a GET, to the page the form was on for a POST (whose data is not kept)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.is_authenticated and when() and not is_confirmed(clock.now()):
                back = request.full_path if request.method == "GET" else request.referrer
                flash(N_("Cette action demande de confirmer votre identité."), "warning")
                return redirect(url_for("reauth.confirm", next=safe_next(back)))
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
@limiter.shared_limit(lambda: current_app.config["RATELIMIT_LOGIN"], scope="login",
                      methods=["POST"])  # fmt: skip
def confirm():
    user, now = current_user._get_current_object(), clock.now()
    target, errors = safe_next(request.values.get("next")), {}
    if request.method == "POST":
        try:
            confirm_identity(user, request.form.get("password", ""), request.form.get("code", ""),
                             now=now)  # fmt: skip
        except DomainError as err:
            errors = err.fields or {"password": [err.message]}
        else:
            mark_confirmed(now)
            return redirect(target)
    return render_template(
        "accounts/confirm.html",
        errors=errors,
        next=target,
        needs_code=user.has_totp,
        provider_id=oidc_services.confirmation_provider(session.get(oidc_services.SIGNED_IN)),
    ), (400 if errors else 200)


def confirm_identity(user, password: str, code: str, *, now: datetime) -> None:
    """The password (and the code when the account has two factors) checked again; a wrong one
    counts towards the lockout; a locked account is refused whatever is typed."""
    matches = passwords.check_password(user.password_hash, password)
    if services.is_locked(user, now):
        record("reauth.refused_locked", now=now, user=user)
        db.session.commit()
        raise DomainError(N_("Compte verrouillé : réessayez plus tard."), code="locked")
    if not matches:
        services.count_failure(user, "reauth_password", now=now)
        db.session.commit()
        raise DomainError(
            N_("Mot de passe incorrect."), code="reauth_failed",
            fields={"password": [N_("Mot de passe incorrect.")]},
        )  # fmt: skip
    if user.has_totp:
        services.verify_totp(user, code, now=now)
    user.failed_logins = 0
    record("reauth.confirmed", now=now, user=user)
    db.session.commit()
