from datetime import UTC, datetime, time

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.apidoc import Page, operation
from rgpd_app.foundation import roles
from rgpd_app.foundation.tenancy import require
from rgpd_app.journal import services
from rgpd_app.journal.schemas import JournalEntrySchema, JournalQueryInput
from rgpd_app.validation import load, page_of

bp = api_blueprint("journal_api", __name__, "/journal")


@bp.get("")
@operation(
    "Journal des accès et opérations, les plus récents d'abord",
    tag="journal",
    description="DPO et responsable de la sécurité du sous-traitant : tout le journal ; DPO "
    "d'une collectivité : celui de sa collectivité. La lecture est elle-même journalisée.",
    query=JournalQueryInput,
    response=Page(JournalEntrySchema),
    response_example={
        "items": [
            {
                "id": 1204,
                "at": "2026-03-02T08:30:00+00:00",
                "user_email": "dpo@montigny.example",
                "organisation_id": 2,
                "action": "deposit.downloaded",
                "object_type": "deposit",
                "object_id": "57",
                "ip": "192.0.2.10",
                "details": '{"direction": "inbound", "state": "verified"}',
                "seal_id": None,
            }
        ],
        "total": 1,
        "page": 1,
        "per_page": 50,
    },
)
def index():
    actor = api_actor()
    require(actor, roles.PROCESSOR_DPO, roles.SECURITY_OFFICER, roles.CONTROLLER_DPO)
    query = load(JournalQueryInput(), request.args)
    page, per_page = page_of(query)
    filters = {
        "action": query["action"].strip(),
        "user": query["user"].strip(),
        "organisation_id": query["organisation_id"],
    }
    for key, edge in (("since", time.min), ("until", time.max)):
        day = query[key]
        filters[key] = datetime.combine(day, edge, tzinfo=UTC) if day is not None else None
    result = services.list_entries(
        actor=actor, now=clock.now(), filters=filters, page=page, per_page=per_page
    )
    return {
        "items": JournalEntrySchema(many=True).dump(result.items),
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
    }
