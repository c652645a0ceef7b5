"""Account management: administrators for everyone, a controller DPO for its municipality."""

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from rgpd_app import clock
from rgpd_app.accounts import grants, reauth, rules, services
from rgpd_app.accounts.schemas import GrantInput, PasswordResetInput, UserInput
from rgpd_app.accounts.users import services as management
from rgpd_app.errors import DomainError
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.paging import sort_key
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("users", __name__, url_prefix="/users")
MANAGERS = rules.ACCOUNT_MANAGERS


def _controllers(actor):
    # Only an administrator grants the auditor role: nobody else sees the list of municipalities.
    if not actor.has(roles.ADMIN):
        return []
    return db.session.scalars(
        select(Organisation).where(Organisation.kind == "controller").order_by(Organisation.name)
    ).all()


def _grantable(actor):
    if actor.has(roles.ADMIN):
        return roles.ALL_ROLES
    return roles.CONTROLLER_ROLES


@bp.route("/")
@roles_required(*MANAGERS)
def index():
    actor = current_actor()
    q = request.args.get("q", "").strip()
    page = page_arg()
    sort = sort_key(request.args.get("sort", ""), management.USER_SORTS, "email")
    result = management.list_users(actor=actor, now=clock.now(), q=q, sort=sort, page=page)
    return render_template(
        "users/index.html",
        sort=sort,
        users=result.items,
        total=result.total,
        page=page,
        q=q,
        per_page=25,
        labels=roles.ROLE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new():
    actor = current_actor()
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form
        try:
            data = load(UserInput(), request.form)
            user = management.create_account(data, actor=actor, now=clock.now())
        except DomainError as err:
            db.session.rollback()
            errors = err.fields or {"_form": [err.message]}
        else:
            flash(N_("Le compte a été créé."), "success")
            return redirect(url_for("users.detail", user_id=user.id))
    return render_template(
        "users/new.html",
        errors=errors,
        form=form,
        organisations=management.account_organisations(actor),
        controllers=_controllers(actor),
        roles=_grantable(actor),
        labels=roles.ROLE_LABELS,
    ), (400 if errors else 200)


@bp.route("/<int:user_id>")
@roles_required(*MANAGERS)
def detail(user_id: int):
    actor = current_actor()
    user = management.get_user(user_id, actor=actor, now=clock.now())
    return render_template(
        "users/detail.html",
        user=user,
        roles=_grantable(actor),
        labels=roles.ROLE_LABELS,
        controllers=_controllers(actor),
        errors={},
    )


@bp.route("/<int:user_id>/grants", methods=["POST"])
@roles_required(*MANAGERS)
@reauth.confirmation_required()
def grant(user_id: int):
    actor = current_actor()
    user = management.get_user(user_id, actor=actor, now=clock.now())
    try:
        data = load(GrantInput(), request.form)
        grants.grant_role(user, **data, actor=actor, now=clock.now())
    except DomainError as err:
        db.session.rollback()
        errors = err.fields or {"_form": [err.message]}
        return render_template(
            "users/detail.html",
            user=user,
            roles=_grantable(actor),
            labels=roles.ROLE_LABELS,
            controllers=_controllers(actor),
            errors=errors,
        ), err.status
    flash(N_("Le rôle a été attribué."), "success")
    return redirect(url_for("users.detail", user_id=user.id))


@bp.route("/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
@roles_required(*MANAGERS)
def revoke(user_id: int, grant_id: int):
    actor = current_actor()
    user = management.get_user(user_id, actor=actor, now=clock.now())
    grants.revoke_role(grants.find_grant(user, grant_id), actor=actor, now=clock.now())
    flash(N_("Le rôle a été retiré."), "success")
    return redirect(url_for("users.detail", user_id=user.id))


@bp.route("/<int:user_id>/enabled", methods=["POST"])
@roles_required(*MANAGERS)
def enabled(user_id: int):
    actor = current_actor()
    user = management.get_user(user_id, actor=actor, now=clock.now())
    management.set_enabled(user, request.form.get("enabled") == "1", actor=actor, now=clock.now())
    flash(N_("Le compte a été mis à jour."), "success")
    return redirect(url_for("users.detail", user_id=user.id))


@bp.route("/<int:user_id>/password", methods=["POST"])
@roles_required(roles.ADMIN)
def reset_password(user_id: int):
    actor = current_actor()
    user = management.get_user(user_id, actor=actor, now=clock.now())
    try:
        data = load(PasswordResetInput(), request.form)
        services.reset_password(user, data["password"], actor=actor, now=clock.now())
    except DomainError as err:
        db.session.rollback()
        return render_template(
            "users/detail.html",
            user=user,
            roles=_grantable(actor),
            labels=roles.ROLE_LABELS,
            controllers=_controllers(actor),
            errors=err.fields or {"_form": [err.message]},
        ), err.status
    flash(N_("Le mot de passe a été réinitialisé."), "success")
    return redirect(url_for("users.detail", user_id=user.id))
