"""JSON API /api/v1/breaches: the same Input schemas and services as the pages."""

from flask import request

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint, int_arg
from rgpd_app.breaches import access, rules, services
from rgpd_app.breaches.schemas import (
    AcknowledgementInput,
    ActivitiesInput,
    BreachInput,
    BreachSchema,
    BreachUpdateInput,
    BreachUpdateSchema,
    CnilNotificationInput,
    CnilNotificationSchema,
    DecisionInput,
    DecisionSchema,
    LetterInput,
    MunicipalityInput,
    NoticeSchema,
)
from rgpd_app.validation import id_value, load

bp = api_blueprint("breaches_api", __name__, "/breaches")


def _body():
    return request.get_json(silent=True)


def _notice(notice) -> dict:
    data = NoticeSchema().dump(notice)
    data["hours_left"] = rules.hours_left(notice.authority_deadline_at, clock.now())
    return data


def _breach(breach) -> dict:
    data = BreachSchema().dump(breach)
    data["notices"] = [_notice(n) for n in breach.notices]
    return data


def _page(result, items) -> dict:
    return {"items": items, "total": result.total, "page": result.page, "per_page": result.per_page}


@bp.get("")
def index():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    result = services.list_breaches(
        actor=api_actor(), now=clock.now(), page=page, per_page=per_page
    )
    return _page(result, BreachSchema(many=True, exclude=("updates",)).dump(result.items))


@bp.post("")
def create():
    access.require_step(api_actor(), "record")
    data = load(BreachInput(), _body())
    breach = services.record_breach(data, actor=api_actor(), now=clock.now())
    return _breach(breach), 201


@bp.get("/<int:breach_id>")
def detail(breach_id: int):
    breach = services.get_breach(breach_id, actor=api_actor(), now=clock.now())
    return _breach(breach)


@bp.post("/<int:breach_id>/updates")
def add_update(breach_id: int):
    access.require_step(api_actor(), "record")
    data = load(BreachUpdateInput(), _body())
    update = services.update_breach(breach_id, data, actor=api_actor(), now=clock.now())
    return BreachUpdateSchema().dump(update), 201


@bp.post("/<int:breach_id>/municipalities")
def set_municipality(breach_id: int):
    access.require_step(api_actor(), "record")
    data = load(MunicipalityInput(), _body())
    notice = services.set_municipality(breach_id, data, actor=api_actor(), now=clock.now())
    return _notice(notice)


@bp.delete("/<int:breach_id>/municipalities/<int:organisation_id>")
def remove_municipality(breach_id: int, organisation_id: int):
    services.remove_municipality(breach_id, organisation_id, actor=api_actor(), now=clock.now())
    return "", 204


@bp.put("/<int:breach_id>/activities")
def set_activities(breach_id: int):
    access.require_step(api_actor(), "record")
    data = load(ActivitiesInput(), _body())
    suggested = services.link_activities(breach_id, data, actor=api_actor(), now=clock.now())
    return {
        "activity_ids": sorted(set(data["activity_ids"])),
        "suggested_organisation_ids": suggested,
    }


@bp.get("/notices")
def notices():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    breach_id = request.args.get("breach_id", "")
    result = services.list_notices(
        actor=api_actor(),
        now=clock.now(),
        breach_id=id_value(breach_id),
        page=page,
        per_page=per_page,
    )
    return _page(result, [_notice(n) for n in result.items])


@bp.get("/notices/<int:notice_id>")
def notice(notice_id: int):
    return _notice(services.get_notice(notice_id, actor=api_actor(), now=clock.now()))


@bp.post("/notices/<int:notice_id>/confirm")
def confirm(notice_id: int):
    return _notice(services.confirm_notice(notice_id, actor=api_actor(), now=clock.now()))


@bp.post("/notices/<int:notice_id>/acknowledgement")
def acknowledgement(notice_id: int):
    access.require_step(api_actor(), "acknowledgement")
    data = load(AcknowledgementInput(), _body())
    notice = services.record_acknowledgement(notice_id, data, actor=api_actor(), now=clock.now())
    return _notice(notice)


@bp.post("/notices/<int:notice_id>/letter")
def letter(notice_id: int):
    access.require_step(api_actor(), "letter")
    data = load(LetterInput(), _body())
    return _notice(services.record_letter(notice_id, data, actor=api_actor(), now=clock.now()))


@bp.post("/notices/<int:notice_id>/decision")
def decision(notice_id: int):
    access.require_step(api_actor(), "decision")
    data = load(DecisionInput(), _body())
    result = services.record_decision(notice_id, data, actor=api_actor(), now=clock.now())
    return DecisionSchema().dump(result)


@bp.post("/notices/<int:notice_id>/cnil-notifications")
def cnil_notification(notice_id: int):
    access.require_step(api_actor(), "cnil")
    data = load(CnilNotificationInput(), _body())
    item = services.record_cnil_notification(notice_id, data, actor=api_actor(), now=clock.now())
    return CnilNotificationSchema().dump(item), 201


@bp.get("/notices/<int:notice_id>/cnil-form")
def cnil_form(notice_id: int):
    return services.cnil_form(notice_id, actor=api_actor(), now=clock.now())


@bp.get("/register")
def register():
    page, per_page = int_arg("page", 1, 10**6), int_arg("per_page", 50, 200)
    result = services.register_page(
        actor=api_actor(), now=clock.now(), page=page, per_page=per_page
    )
    items = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in result.items
    ]
    return _page(result, items)
