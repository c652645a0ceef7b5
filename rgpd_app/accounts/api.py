from rgpd_app import clock
from rgpd_app.accounts.schemas import UserSchema
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.extensions import db
from rgpd_app.journal.services import record

bp = api_blueprint("accounts_api", __name__)


@bp.get("/me")
def me():
    actor = api_actor()
    record("api.me_read", now=clock.now(), actor=actor)
    db.session.commit()
    body = UserSchema().dump(actor.user)
    body["active_roles"] = sorted(actor.roles)
    body["audited_controller_ids"] = sorted(actor.auditor_controller_ids)
    return body
