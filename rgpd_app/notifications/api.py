from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Page, operation
from rgpd_app.foundation import roles
from rgpd_app.foundation.tenancy import require
from rgpd_app.notifications import services
from rgpd_app.notifications.models import FAILED, PENDING, SENDING
from rgpd_app.notifications.schemas import OutboxMessageSchema, OutboxQueryInput
from rgpd_app.validation import load, page_of

bp = api_blueprint("notifications_api", __name__, "/notifications")


@bp.get("")
@operation(
    "Messages sortants non envoyés ou en échec (administrateur)",
    tag="notifications",
    description="Les messages en échec d'abord, puis par prochaine tentative ; jamais leur "
    "contenu.",
    query=OutboxQueryInput,
    response=Page(OutboxMessageSchema),
)
def index():
    actor = api_actor()
    require(actor, roles.ADMIN)  # a refused role: 403 before any 400
    query = load(OutboxQueryInput(), request.args)
    page, per_page = page_of(query)
    result = services.list_messages(
        actor=actor,
        now=clock.now(),
        states=(query["state"],) if query["state"] else (FAILED, PENDING, SENDING),
        page=page,
        per_page=per_page,
    )
    return {
        "items": OutboxMessageSchema(many=True).dump(result.items),
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
    }
