"""Login with two-factor authentication, logout, password change, language, API tokens."""

import io

import segno
from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from rgpd_app import clock
from rgpd_app.accounts import reauth, services
from rgpd_app.accounts import tokens as api_tokens
from rgpd_app.accounts.models import User
from rgpd_app.accounts.oidc import services as oidc_services
from rgpd_app.accounts.schemas import LoginInput, PasswordChangeInput, TokenInput, TotpInput
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.extensions import db, limiter
from rgpd_app.messages import N_
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg

bp = Blueprint("accounts", __name__)

PENDING = "pending_login"
OIDC_REQUIRED = N_(
    "Votre organisation impose la connexion par son fournisseur d'identité (bouton ci-dessous) : "
    "le mot de passe n'est accepté que pour son compte de secours."
)


def _login_limit():
    return current_app.config["RATELIMIT_LOGIN"]


# One budget per address for every step of a login (password, code, enrolment): three separate
# ones would give a guesser three times as many tries (ASVS 5.0 6.3.1).
login_steps_limit = limiter.shared_limit(_login_limit, scope="login", methods=["POST"])


def finish_login(user: User, *, keep: dict | None = None, details: dict | None = None):
    """Sign the user in on a fresh session; `keep` survives it (the provider's logout hint),
    `details` go to the journal entry (how the person signed in)."""
    services.complete_login(user, now=clock.now(), details=details)
    lang = session.get("lang")
    session.clear()  # a fresh session at login: nothing from before survives (fixation)
    if lang:
        session["lang"] = lang
    session.update(keep or {})
    login_user(user)
    session["seen"] = session["started"] = clock.now().timestamp()  # idle and absolute expiry
    reauth.mark_confirmed(clock.now())  # a sign-in confirms the identity for a while
    if not keep and services.password_expired(user, clock.now()):
        flash(N_("Votre mot de passe a plus d'un an : choisissez-en un nouveau."), "warning")
        return redirect(url_for("accounts.password"))
    return redirect(url_for("main.dashboard"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending:
        return None
    user = db.session.get(User, pending["uid"])
    if user is None or user.session_version != pending["ver"] or not user.is_enabled:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@login_steps_limit
def login():
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        try:
            data = load(LoginInput(), request.form)
            user = services.authenticate(data["email"], data["password"], now=clock.now())
            if oidc_services.password_refused(user, now=clock.now()):
                raise DomainError(OIDC_REQUIRED, code="oidc_required")
        except ValidationFailed as err:
            errors = err.fields
        except DomainError as err:
            errors = {"_form": [err.message]}
        else:
            session[PENDING] = {"uid": user.id, "ver": user.session_version}
            if user.has_totp:
                return redirect(url_for("accounts.totp"))
            if services.needs_totp_enrolment(user, clock.now()):
                return redirect(url_for("accounts.enrol"))
            session.pop(PENDING)
            return finish_login(user)
    status = 401 if errors.get("_form") else (400 if errors else 200)
    return render_template(
        "accounts/login.html",
        errors=errors,
        form=form,
        expired=request.args.get("expired"),
        providers=oidc_services.sign_in_options(),
    ), status


def _locked_out():
    """A locked account ends the login under way, with the answer of a failed password step."""
    session.pop(PENDING, None)
    errors = {"_form": [services.GENERIC_LOGIN_ERROR]}
    return render_template(
        "accounts/login.html",
        errors=errors,
        form={},
        expired=None,
        providers=oidc_services.sign_in_options(),
    ), 401


@bp.route("/login/code", methods=["GET", "POST"])
@login_steps_limit
def totp():
    user = _pending_user()
    if user is None or not user.has_totp:
        return redirect(url_for("accounts.login"))
    if services.is_locked(user, clock.now()):
        return _locked_out()
    errors = {}
    if request.method == "POST":
        try:
            data = load(TotpInput(), request.form)
            services.verify_totp(user, data["code"], now=clock.now())
        except services.LoginFailed:
            return _locked_out()
        except DomainError as err:
            errors = err.fields or {"code": [err.message]}
            if services.is_locked(user, clock.now()):  # that code was the last try
                session.pop(PENDING, None)
        else:
            return _finish_pending(user)
    return render_template("accounts/totp.html", errors=errors), (400 if errors else 200)


def _finish_pending(user: User):
    """The second factor done: what the first step (password or provider) left to keep."""
    pending = session.pop(PENDING)
    return finish_login(user, keep=pending.get("keep"), details=pending.get("details"))


def _qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True)
    return out.getvalue().decode()


@bp.route("/login/enrol", methods=["GET", "POST"])
@login_steps_limit
def enrol():
    """Two-factor enrolment: a QR code and the secret shown once, confirmed by a first code.
    Wrong codes count towards the lockout, and a locked account cannot enrol (ASVS 5.0 6.3.1)."""
    pending = _pending_user()
    user = pending or (current_user if current_user.is_authenticated else None)
    if user is None:
        return redirect(url_for("accounts.login"))
    if user.has_totp:
        return redirect(url_for("main.dashboard"))
    if pending is not None and services.is_locked(user, clock.now()):
        return _locked_out()
    secret = services.pending_totp_secret(user, now=clock.now())
    errors = {}
    if request.method == "POST":
        try:
            data = load(TotpInput(), request.form)
            services.confirm_totp_enrolment(user, data["code"], now=clock.now())
        except services.LoginFailed as err:
            if pending is not None:
                return _locked_out()
            errors = {"code": [err.message]}
        except DomainError as err:
            db.session.rollback()
            errors = err.fields or {"code": [err.message]}
            if pending is not None and services.is_locked(user, clock.now()):
                session.pop(PENDING, None)
        else:
            if session.get(PENDING):
                return _finish_pending(user)
            flash(N_("La double authentification est activée."), "success")
            return redirect(url_for("main.dashboard"))
    uri = services.totp_uri(user, secret)
    return render_template(
        "accounts/enrol.html", errors=errors, secret=secret, qr_svg=_qr_svg(uri)
    ), (400 if errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Signed in through a provider that offers it: its session ends too (RP-initiated logout).
    at_provider = oidc_services.provider_logout_url(session.get(oidc_services.SIGNED_IN))
    services.logout(
        current_user._get_current_object(),
        now=clock.now(),
        details={"provider_logout": True} if at_provider else None,
    )
    logout_user()
    session.clear()
    flash(N_("Vous êtes déconnecté."), "info")
    return redirect(at_provider or url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    errors = {}
    if request.method == "POST":
        try:
            data = load(PasswordChangeInput(), request.form)
            services.change_password(
                current_user._get_current_object(),
                data["current_password"],
                data["new_password"],
                confirm=data["confirm_password"],
                actor=current_actor(),
                now=clock.now(),
            )
        except DomainError as err:
            db.session.rollback()
            errors = err.fields or {"_form": [err.message]}
        else:
            # The password change bumped the session version: sign in again on this session.
            login_user(db.session.get(User, current_user.id))
            flash(N_("Votre mot de passe a été changé."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("accounts/password.html", errors=errors), (400 if errors else 200)


@bp.route("/language", methods=["POST"])
def language():
    lang = request.form.get("lang", "fr")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.language = lang
            db.session.commit()
    target = request.referrer or url_for("main.dashboard")
    if not target.startswith(request.host_url):
        target = url_for("main.dashboard")
    return redirect(target)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
@reauth.confirmation_required(lambda: request.method == "POST")
def tokens():
    actor = current_actor()
    new_token, errors, form = None, {}, {"valid_days": api_tokens.DEFAULT_DAYS}
    if request.method == "POST":
        form = request.form
        try:
            data = load(TokenInput(), request.form)
            new_token = api_tokens.create_token(
                actor.user,
                label=data["label"],
                valid_days=data["valid_days"],
                actor=actor,
                now=clock.now(),
            )
        except DomainError as err:
            errors = err.fields
    rows = api_tokens.list_tokens(actor=actor, page=page_arg(), per_page=50)
    return render_template(
        "accounts/tokens.html",
        tokens=rows.items,
        total=rows.total,
        page=rows.page,
        per_page=rows.per_page,
        new_token=new_token,
        errors=errors,
        form=form,
        now=clock.now(),
        default_days=api_tokens.DEFAULT_DAYS,
        max_days=api_tokens.MAX_DAYS,
    ), (400 if errors else 200)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    api_tokens.revoke_token(token_id, actor=current_actor(), now=clock.now())
    flash(N_("Le jeton a été révoqué."), "success")
    return redirect(url_for("accounts.tokens"))
