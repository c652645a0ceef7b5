"""Audit pages: list, notice form, detail with the clocks, documents and billing statement."""

import re

from flask import Blueprint, redirect, render_template, request, url_for

import audit as rules_lib
from rgpd_app import clock
from rgpd_app.audits import access, portal, rules, services
from rgpd_app.audits.billing import billing_response
from rgpd_app.audits.schemas import (
    AuditRequestInput,
)
from rgpd_app.errors import DomainError
from rgpd_app.exports.response import file_response
from rgpd_app.extensions import db
from rgpd_app.files import Upload, download_response
from rgpd_app.messages import N_
from rgpd_app.paging import sort_key
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, page_arg, roles_required

bp = Blueprint("audits", __name__, url_prefix="/audits")

PER_PAGE = 25
_AUDITOR_KEY = re.compile(r"^auditors-(\d+)-")
MAX_AUDITORS = 20


def received_file(name: str) -> Upload | None:
    stored = request.files.get(name)
    if stored is None or not stored.filename:
        return None
    return Upload(stored.filename, stored.read(), stored.mimetype or "application/octet-stream")


def _auditor_count() -> int:
    indices = [
        int(m.group(1)) for key in [*request.form, *request.files] if (m := _AUDITOR_KEY.match(key))
    ]
    wanted = max(indices, default=0) + 1
    if request.form.get("add_auditor"):
        wanted += 1
    return min(max(wanted, 1), MAX_AUDITORS)


def _form_request() -> tuple[dict, list[Upload | None]]:
    count = _auditor_count()
    plain = {
        key: request.form.get(key)
        for key in ("start_on", "end_on", "scope", "period_from", "period_to", "reaudit_of_id")
    }
    plain["ask_agreement"] = bool(request.form.get("ask_agreement"))
    plain["auditors"] = [
        {
            f: request.form.get(f"auditors-{i}-{f}", "")
            for f in ("name", "firm", "reference", "email")
        }
        for i in range(count)
    ]
    uploads = [received_file(f"auditors-{i}-nda") for i in range(count)]
    for i, upload in enumerate(uploads):
        plain["auditors"][i]["has_signed_nda"] = upload is not None
    return load(AuditRequestInput(), plain), uploads


@bp.get("/")
@roles_required(*rules.READERS)
def index():
    actor, page = current_actor(), page_arg()
    state = request.args.get("state", "")
    state = state if state in rules_lib.STATE_LABELS else ""
    q = request.args.get("q", "").strip()
    sort = sort_key(request.args.get("sort", ""), access.SORTS, access.DEFAULT_SORT)
    items, total = services.list_audits(
        actor=actor, now=clock.now(), state=state, q=q, sort=sort, page=page, per_page=PER_PAGE
    )
    return render_template(
        "audits/index.html",
        items=items,
        total=total,
        page=page,
        per_page=PER_PAGE,
        state=state,
        q=q,
        sort=sort,
        states=rules_lib.STATE_LABELS,
        can_request=actor.has(*rules.REQUESTERS),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*rules.REQUESTERS)
def new():
    actor = current_actor()
    errors, check, form = {}, None, dict(request.args)
    count = 1
    if request.method == "POST":
        form, count = request.form, _auditor_count()
        if not request.form.get("add_auditor"):
            try:
                data, uploads = _form_request()
                item = services.submission.request_audit(
                    data, uploads, actor=actor, now=clock.now()
                )
            except services.submission.AuditCheckFailed as err:
                db.session.rollback()
                errors, check = err.fields, err.check
            except DomainError as err:
                db.session.rollback()
                errors = err.fields or {"_form": [err.message]}
            else:
                flash(N_("La demande d'audit est enregistrée."), "success")
                return redirect(url_for("audits.detail", audit_id=item.id))
    return render_template(
        "audits/form.html", form=form, errors=errors, check=check, count=count
    ), (400 if errors else 200)


@bp.get("/<int:audit_id>")
@roles_required(*rules.READERS)
def detail(audit_id: int, accounts=None):
    actor, now = current_actor(), clock.now()
    item = services.read_audit(audit_id, actor=actor, now=now)
    reads, reads_total = portal.auditor_reads(item, actor=actor)
    return render_template(
        "audits/detail.html",
        window=portal.access_window(item),
        shares=portal.live_shares(item, actor=actor),
        shareable=portal.shareable_packs(item, actor=actor, now=now),
        can_share=actor.has(*portal.SHARERS),
        can_watch=actor.has(*portal.READ_WATCHERS),
        reads=reads,
        reads_total=reads_total,
        item=item,
        clocks=services.clocks_for(item),
        now=now,
        actions=set(rules_lib.allowed_actions(item.state)),
        labels=rules_lib.STATE_LABELS,
        entries=services.timelog.entries(item),
        roles=rules,
        hours=rules.hours_text,
        accounts=accounts or [],
    )


@bp.get("/<int:audit_id>/documents/<int:document_id>")
@roles_required(*rules.READERS)
def document(audit_id: int, document_id: int):
    found, path = services.progress.open_document(
        audit_id, document_id, actor=current_actor(), now=clock.now()
    )
    return download_response(path, found.original_filename)


@bp.get("/<int:audit_id>/packs/<int:share_id>")
@roles_required(*rules.READERS)
def shared_pack(audit_id: int, share_id: int):
    """A pack shared with this audit, for its named auditors (journaled)."""
    return file_response(
        *portal.open_shared_pack(audit_id, share_id, actor=current_actor(), now=clock.now())
    )


@bp.get("/<int:audit_id>/billing.<fmt>")
@roles_required(*rules.BILLING_READERS)
def billing(audit_id: int, fmt: str):
    return billing_response(audit_id, current_actor(), fmt)
