"""Sign-in through an OpenID provider (Authorization Code with PKCE, state, nonce) and the
administration page of an organisation's provider."""

import json
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from rgpd_app import clock
from rgpd_app.accounts import reauth
from rgpd_app.accounts.oidc import protocol, rules, services, settings
from rgpd_app.accounts.oidc.schemas import ProviderInput
from rgpd_app.accounts.views import PENDING, finish_login, login_steps_limit
from rgpd_app.errors import DomainError
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.messages import N_
from rgpd_app.organisations import services as organisations
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, roles_required

bp = Blueprint("oidc", __name__)

STARTED = "oidc_started"  # in the session between the redirect to the provider and its answer


def _client(row) -> protocol.Client:
    return protocol.Client(
        issuer=row.issuer,
        client_id=row.client_id,
        client_secret=row.client_secret or "",
        scopes=row.scopes,
        redirect_uri=services.callback_url(),
        timeout=current_app.config["OIDC_TIMEOUT_SECONDS"],
    )


def _refused(err, *, provider=None, detail="", claims=None):
    """The refusal journaled, a French page, and no session."""
    services.refuse(err, now=clock.now(), provider=provider, detail=detail, claims=claims)
    session.pop(STARTED, None)
    session.pop(PENDING, None)
    reason = err.reason if isinstance(err, services.SignInRefused) else err
    org = getattr(err, "organisation", None)
    params = getattr(err, "params", {})
    message = None if reason == "unknown_account" else N_(rules.REFUSALS[reason], **params)
    return render_template(
        "accounts/oidc_refused.html",
        reason=reason,
        message=message,
        organisation=org,
        email=params.get("email", ""),
        processor=services.processor_name(),
    ), 403


@bp.get("/login/oidc/<int:provider_id>")
def start(provider_id: int):
    row = services.provider(provider_id)
    if row is None:
        abort(404)
    confirming = current_user.is_authenticated and request.args.get("confirm") == "1"
    if current_user.is_authenticated and not confirming:
        return redirect(url_for("main.dashboard"))
    try:
        metadata = protocol.discover(row.issuer, timeout=current_app.config["OIDC_TIMEOUT_SECONDS"])
    except protocol.Refused as err:
        return _refused(err.reason, provider=row, detail=err.detail)
    extra = {}
    asked = rules.mfa_claims_request(
        acr_values=rules.values(row.mfa_acr_values), amr_values=rules.values(row.mfa_amr_values)
    )
    if asked:
        extra["claims"] = json.dumps(asked, separators=(",", ":"))
    if confirming:  # a fresh authentication at the provider (OIDC Core 3.1.2.1)
        extra.update(prompt="login", max_age="0")
    auth = protocol.authorization_request(_client(row), metadata, **extra)
    session[STARTED] = {
        "provider": row.id,
        "state": auth.state,
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "at": clock.now().timestamp(),
    }
    if confirming:
        session[STARTED] |= {"confirm": True, "next": reauth.safe_next(request.args.get("next"))}
    return redirect(auth.url)


def _started(state: str) -> dict | None:
    """The sign-in this browser started, once: the same answer presented again finds none."""
    started = session.pop(STARTED, None)
    if not started or not secrets.compare_digest(str(started.get("state", "")), state):
        return None
    age = clock.now().timestamp() - started.get("at", 0)
    if not 0 <= age <= current_app.config["OIDC_PENDING_MINUTES"] * 60:
        return None
    return started


@bp.get("/login/oidc/callback")
@login_steps_limit
def callback():
    started = _started(request.args.get("state", ""))
    row = services.provider(started["provider"]) if started else None
    if row is None:
        return _refused("state", detail="no sign-in started with this state")
    if request.args.get("error"):
        detail = f"{request.args['error']}: {request.args.get('error_description', '')}"
        return _refused("provider_error", provider=row, detail=detail)
    # RFC 9207: an answer naming another issuer is a mix-up, whatever it carries.
    if request.args.get("iss", row.issuer) != row.issuer:
        return _refused("provider_error", provider=row, detail="iss parameter of another issuer")
    claims = {}
    try:
        timeout = current_app.config["OIDC_TIMEOUT_SECONDS"]
        metadata = protocol.discover(row.issuer, timeout=timeout)
        id_claims, claims, id_token = protocol.exchange(
            _client(row),
            metadata,
            code=request.args.get("code", ""),
            code_verifier=started["verifier"],
            nonce=started["nonce"],
            now=clock.now().timestamp(),
        )
        signed = services.match_account(row, id_claims, claims, now=clock.now())
        if started.get("confirm"):
            return _confirmed(signed, id_claims, started)
    except protocol.Refused as err:
        return _refused(err.reason, provider=row, detail=err.detail, claims=claims)
    except services.SignInRefused as err:
        return _refused(err, provider=row, claims=claims)
    keep = services.logout_hint(
        metadata, provider_id=row.id, client_id=row.client_id, id_token=id_token
    )
    details = {
        "method": "oidc",
        "issuer": row.issuer,
        "acr": id_claims.get("acr", ""),
        "mfa": "provider" if signed.is_mfa_asserted else "none",
    }
    user = signed.user
    if signed.needs_second_factor:
        session[PENDING] = {
            "uid": user.id,
            "ver": user.session_version,
            "keep": keep,
            "details": details | {"mfa": "totp"},
        }
        return redirect(url_for("accounts.totp" if user.has_totp else "accounts.enrol"))
    return finish_login(user, keep=keep, details=details)


def _confirmed(signed, id_claims: dict, started: dict):
    """The identity confirmed again at the provider, for the sensitive actions (reauth.py)."""
    if not current_user.is_authenticated:
        raise services.SignInRefused("state", detail="signed out meanwhile")
    services.confirmed_at_provider(
        signed,
        user_id=current_user.id,
        id_claims=id_claims,
        started_at=started["at"],
        now=clock.now(),
    )
    reauth.mark_confirmed(clock.now())
    return redirect(started.get("next") or url_for("main.dashboard"))


@bp.route("/organisations/<int:org_id>/oidc", methods=["GET", "POST"])
@roles_required(roles.ADMIN)
def provider_settings(org_id: int):
    actor = current_actor()
    org = organisations.get_organisation(org_id, actor=actor, now=clock.now())
    row = services.provider_of(org.id)
    errors, form = {}, settings.settings_form(org, row)
    if request.method == "POST":
        form = request.form
        try:
            data = load(ProviderInput(), request.form)
            settings.save_provider(org, data, actor=actor, now=clock.now())
        except DomainError as err:
            db.session.rollback()
            errors = err.fields or {"_form": [err.message]}
        else:
            flash(N_("La connexion OpenID Connect de l'organisation est enregistrée."), "success")
            return redirect(url_for("oidc.provider_settings", org_id=org.id))
    return render_template(
        "accounts/oidc_provider.html",
        org=org,
        row=row,
        errors=errors,
        form=form,
        kinds=[(rules.PROCONNECT, N_("ProConnect")), (rules.GENERIC, N_("Autre fournisseur"))],
        redirect_uri=services.callback_url(),
        logout_uri=services.after_logout_url(),
    ), (400 if errors else 200)
