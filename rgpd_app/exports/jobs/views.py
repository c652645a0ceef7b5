"""The user's long exports: the list, one export's progress (the page reloads itself while the
worker builds it, no script needed) and the download."""

from flask import Blueprint, render_template

from rgpd_app import clock
from rgpd_app.exports.jobs import services as jobs
from rgpd_app.exports.response import file_response
from rgpd_app.web import current_actor, roles_required

bp = Blueprint("exports", __name__, url_prefix="/exports")

REFRESH_SECONDS = 2


@bp.get("")
@roles_required()
def index():
    actor = current_actor()
    items = jobs.my_jobs(actor=actor)
    return render_template(
        "exports/jobs.html",
        items=items,
        refresh=REFRESH_SECONDS if any(item.is_pending for item in items) else None,
    )


@bp.get("/<public_id>")
@roles_required()
def show(public_id: str):
    export = jobs.get_job(public_id, actor=current_actor())
    return render_template(
        "exports/job.html",
        export=export,
        refresh=REFRESH_SECONDS if export.is_pending else None,
    )


@bp.get("/<public_id>/file")
@roles_required()
def download(public_id: str):
    return file_response(*jobs.open_download(public_id, actor=current_actor(), now=clock.now()))
