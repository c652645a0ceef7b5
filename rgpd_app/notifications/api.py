from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.notifications import services
from rgpd_app.notifications.schemas import OutboxMessageSchema, states_from

bp = api_blueprint("notifications_api", __name__, "/notifications")


@bp.get("")
def index():
    page = request.args.get("page", "1")
    result = services.list_messages(
        actor=api_actor(),
        now=clock.now(),
        states=states_from(request.args),
        page=min(int(page), 10**6) if page.isdigit() and int(page) > 0 else 1,
    )
    return {
        "items": OutboxMessageSchema(many=True).dump(result.items),
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
    }
