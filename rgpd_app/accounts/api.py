"""JSON API of accounts, role grants and API tokens (annex §1): the same services, rules and
journal entries as the « Comptes » and « Mon compte › Jetons d'API » pages."""

from flask import g, request

from rgpd_app import clock
from rgpd_app.accounts import grants, services, tokens
from rgpd_app.accounts.schemas import (
    ApiTokenSchema,
    GrantInput,
    MeSchema,
    NewApiTokenSchema,
    PasswordResetInput,
    RoleGrantSchema,
    TokenInput,
    UserDetailSchema,
    UserInput,
    UserSchema,
)
from rgpd_app.accounts.users import services as management
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.apidoc import PAGING, Page, Param, operation
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import require
from rgpd_app.validation import load

bp = api_blueprint("accounts_api", __name__)
TAG = "comptes"
_PASSWORD = "Quatre-saisons-sous-la-pluie-fine-7"
_USER_SORTS = tuple(f"{d}{k}" for k in management.USER_SORTS for d in ("", "-"))


def _paging() -> tuple[int, int]:
    return int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)


def _page(result, schema) -> dict:
    return {
        "items": schema.dump(result.items),
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
    }


@bp.get("/me")
@operation("Le compte du jeton et ses rôles actifs", tag=TAG, response=MeSchema)
def me():
    actor = api_actor()
    record("api.me_read", now=clock.now(), actor=actor)
    db.session.commit()
    return MeSchema(actor=actor).dump(actor.user)


@bp.get("/accounts")
@operation(
    "Comptes (administrateur : tous ; DPO d'une collectivité : ceux de sa collectivité)",
    tag=TAG,
    query=(
        Param("q", description="Adresse ou nom, en partie"),
        Param("sort", description="Tri (« - » devant : décroissant)", enum=_USER_SORTS),
        *PAGING,
    ),
    response=Page(UserSchema),
)
def accounts():
    page, per_page = _paging()
    result = management.list_users(
        actor=api_actor(),
        now=clock.now(),
        q=request.args.get("q", "").strip(),
        sort=request.args.get("sort", "email"),
        page=page,
        per_page=per_page,
    )
    return _page(result, UserSchema(many=True))


@bp.post("/accounts")
@operation(
    "Créer un compte avec son premier rôle",
    tag=TAG,
    description="Le mot de passe initial, choisi par l'appelant, n'est jamais renvoyé. Un DPO de "
    "collectivité ne crée des comptes que dans la sienne, avec les rôles de celle-ci.",
    body=UserInput,
    example={
        "email": "agent.etat-civil@mairie-exemple.fr",
        "name": "Camille Martin",
        "organisation_id": 2,
        "role": roles.INSTRUCTOR,
        "password": _PASSWORD,
    },
    response=UserDetailSchema,
    status=201,
)
def create_account():
    actor = api_actor()
    management.require_manager(actor)  # a refused role: 403 before any 400
    data = load(UserInput(), request.get_json(silent=True))
    user = management.create_account(data, actor=actor, now=clock.now())
    return UserDetailSchema().dump(user), 201


def _managed(user_id: int):
    actor = api_actor()
    management.require_manager(actor)
    return actor, management.get_user(user_id, actor=actor, now=clock.now())


@bp.get("/accounts/<int:user_id>")
@operation("Un compte et l'historique de ses rôles", tag=TAG, response=UserDetailSchema)
def account(user_id: int):
    _, user = _managed(user_id)
    return UserDetailSchema().dump(user)


@bp.post("/accounts/<int:user_id>/disable")
@operation(
    "Désactiver un compte : ses sessions prennent fin, ses jetons sont refusés",
    tag=TAG,
    description="Personne ne désactive son propre compte (403).",
    response=UserDetailSchema,
)
def disable(user_id: int):
    actor, user = _managed(user_id)
    management.set_enabled(user, False, actor=actor, now=clock.now())
    return UserDetailSchema().dump(user)


@bp.post("/accounts/<int:user_id>/enable")
@operation("Réactiver un compte (et lever son verrouillage)", tag=TAG, response=UserDetailSchema)
def enable(user_id: int):
    actor, user = _managed(user_id)
    management.set_enabled(user, True, actor=actor, now=clock.now())
    return UserDetailSchema().dump(user)


@bp.post("/accounts/<int:user_id>/password-reset")
@operation(
    "Réinitialiser le mot de passe d'un compte (administrateur)",
    tag=TAG,
    description="Le nouveau mot de passe, choisi par l'administrateur, est transmis à la "
    "personne hors de l'application ; ses sessions prennent fin et ses jetons d'API sont "
    "révoqués. Son propre mot de passe se change dans « Mon compte » (403 ici).",
    body=PasswordResetInput,
    example={"password": _PASSWORD},
    response=None,
)
def password_reset(user_id: int):
    actor = api_actor()
    require(actor, roles.ADMIN)
    user = management.get_user(user_id, actor=actor, now=clock.now())
    data = load(PasswordResetInput(), request.get_json(silent=True))
    services.reset_password(user, data["password"], actor=actor, now=clock.now())
    return "", 204


@bp.get("/accounts/<int:user_id>/grants")
@operation(
    "Les rôles d'un compte, retirés compris", tag=TAG, query=PAGING, response=Page(RoleGrantSchema)
)
def grant_list(user_id: int):
    _, user = _managed(user_id)
    page, per_page = _paging()
    return _page(grants.list_grants(user, page=page, per_page=per_page), RoleGrantSchema(many=True))


@bp.post("/accounts/<int:user_id>/grants")
@operation(
    "Attribuer un rôle, pour une période si besoin",
    tag=TAG,
    description="Refusé (400, code role_refused) : à soi-même, des rôles clés cumulés "
    "(administrateur avec DPO ou responsable sécurité du sous-traitant ; un auditeur n'a aucun "
    "autre rôle), un rôle d'une autre organisation. Un auditeur est habilité pour une "
    "collectivité (controller_id) entre deux dates ; tout autre rôle peut l'être pour une "
    "période (jours du calendrier français, bornes comprises).",
    body=GrantInput,
    example={
        "role": roles.INSTRUCTOR,
        "valid_from_on": "2026-04-01",
        "valid_until_on": "2026-06-30",
    },
    response=RoleGrantSchema,
    status=201,
)
def grant(user_id: int):
    actor, user = _managed(user_id)
    data = load(GrantInput(), request.get_json(silent=True))
    made = grants.grant_role(user, **data, actor=actor, now=clock.now())
    return RoleGrantSchema().dump(made), 201


@bp.delete("/accounts/<int:user_id>/grants/<int:grant_id>")
@operation(
    "Retirer un rôle : les sessions du compte prennent fin",
    tag=TAG,
    description="Avec les règles de l'attribution (personne ne se retire ses propres rôles : "
    "403) ; un rôle déjà retiré : 409.",
)
def revoke(user_id: int, grant_id: int):
    actor, user = _managed(user_id)
    grants.revoke_role(grants.find_grant(user, grant_id), actor=actor, now=clock.now())
    return "", 204


@bp.get("/tokens")
@operation(
    "Mes jetons d'API (préfixe, échéance, dernier usage ; jamais le jeton lui-même)",
    tag=TAG,
    query=PAGING,
    response=Page(ApiTokenSchema),
)
def token_list():
    page, per_page = _paging()
    result = tokens.list_tokens(actor=api_actor(), page=page, per_page=per_page)
    return _page(result, ApiTokenSchema(many=True))


@bp.post("/tokens")
@operation(
    "Créer un jeton d'API pour mon compte",
    tag=TAG,
    description="Le jeton est dans cette réponse seulement (seule son empreinte est gardée). "
    f"Il vit {tokens.DEFAULT_DAYS} jours par défaut, {tokens.MAX_DAYS} au plus ; un changement "
    "ou une réinitialisation du mot de passe le révoque ; il n'expire jamais après le jeton "
    "qui le crée.",
    body=TokenInput,
    example={"label": "Intégration SIG", "valid_days": tokens.DEFAULT_DAYS},
    response=NewApiTokenSchema,
    status=201,
)
def token_create():
    actor = api_actor()
    data = load(TokenInput(), request.get_json(silent=True))
    row, secret = tokens.issue_token(
        actor.user,
        label=data["label"],
        valid_days=data["valid_days"],
        not_after=g.api_token_expires_at,  # never past the token that asks
        actor=actor,
        now=clock.now(),
    )
    return NewApiTokenSchema(secret=secret).dump(row), 201


@bp.delete("/tokens/<int:token_id>")
@operation(
    "Révoquer un jeton (le sien ; un administrateur : celui de tout compte)",
    tag=TAG,
    description="Un jeton déjà révoqué : 409 ; celui d'un autre compte : 404.",
)
def token_revoke(token_id: int):
    tokens.revoke_token(token_id, actor=api_actor(), now=clock.now())
    return "", 204
