"""/api/v1/exports: the state of a long export the token's user asked for, and its file."""

from flask import url_for

from rgpd_app import clock
from rgpd_app.api_auth import api_actor, api_blueprint
from rgpd_app.exports import jobs
from rgpd_app.exports.job_views import file_response
from rgpd_app.exports.models import ExportJob

bp = api_blueprint("exports_api", __name__, "/exports")


def describe(export: ExportJob) -> dict:
    return {
        "id": export.public_id,
        "title": export.title,
        "format": export.fmt,
        "state": export.state,
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "percent": export.percent,
        "requested_at": export.requested_at.isoformat(),
        "finished_at": export.finished_at.isoformat() if export.finished_at else None,
        "expires_at": export.expires_at.isoformat() if export.expires_at else None,
        "filename": export.filename,
        "size": export.size,
        "sha256": export.sha256 or None,
        "error": export.error or None,
        "status_url": url_for("exports_api.show", public_id=export.public_id),
        "file_url": url_for("exports_api.download", public_id=export.public_id)
        if export.state == "done"
        else None,
    }


def accepted(export: ExportJob):
    """202 for an export queued for the worker, with where to follow it."""
    return describe(export), 202, {"Location": describe(export)["status_url"]}


@bp.get("")
def index():
    return {"items": [describe(item) for item in jobs.my_jobs(actor=api_actor())]}


@bp.get("/<public_id>")
def show(public_id: str):
    return describe(jobs.get_job(public_id, actor=api_actor()))


@bp.get("/<public_id>/file")
def download(public_id: str):
    return file_response(*jobs.open_download(public_id, actor=api_actor(), now=clock.now()))
