from flask import Blueprint, render_template, request
from sqlalchemy import select

from rgpd_app import clock
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.journal import services
from rgpd_app.journal.schemas import filters_from
from rgpd_app.organisations.models import Organisation
from rgpd_app.web import current_actor, page_arg, roles_required

bp = Blueprint("journal", __name__, url_prefix="/journal")


@bp.route("/")
@roles_required(roles.PROCESSOR_DPO, roles.SECURITY_OFFICER, roles.CONTROLLER_DPO)
def index():
    filters = filters_from(request.args)
    result = services.list_entries(
        actor=current_actor(), now=clock.now(), filters=filters, page=page_arg()
    )
    ids = {e.organisation_id for e in result.items} - {None}
    stmt = select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    names = {org_id: name for org_id, name in db.session.execute(stmt)}
    return render_template(
        "journal/index.html", result=result, args=request.args, organisation_names=names
    )
