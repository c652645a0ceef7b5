"""The evidence pages: ask for a pack (built by the worker), verify one, and the published keys."""

import tempfile
from pathlib import Path

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import or_, select

from rgpd_app import clock
from rgpd_app.accounts import reauth
from rgpd_app.errors import DomainError, ValidationFailed
from rgpd_app.evidence import services
from rgpd_app.evidence.jobs import BUILDERS, KIND, request_pack
from rgpd_app.exports.jobs import services as jobs
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.tenancy import scope
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.rules import normalize
from rgpd_app.web import current_actor, form_errors_of, roles_required

bp = Blueprint("evidence", __name__)

MAX_MATCHES = 10


@bp.route("/.well-known/rgpd-evidence-keys.json")
def published_keys():
    """Public keys only (no personal data), unauthenticated, cacheable for an hour."""
    answer = jsonify(services.keys_document(clock.now()))
    answer.headers["Cache-Control"] = "public, max-age=3600"
    return answer


def pick_controller(text: str, actor: Actor) -> int:
    """The municipality typed as a SIREN, an id or part of its name (no 1,500-option list)."""
    wanted = (text or "").strip()
    if not wanted:
        raise ValidationFailed({"controller": [N_("Indiquez la collectivité (SIREN ou nom).")]})
    stmt = scope(select(Organisation), Organisation.id, actor).where(
        Organisation.kind != "processor"
    )
    digits = wanted.replace(" ", "")
    if digits.isdigit() and len(digits) < 12:
        exact = db.session.scalars(
            stmt.where(or_(Organisation.siren == digits, Organisation.id == int(digits)))
        ).all()
        if len(exact) == 1:
            return exact[0].id
    key = normalize(wanted)
    found = [
        o for o in db.session.scalars(stmt.order_by(Organisation.name)) if key in normalize(o.name)
    ]
    if len(found) == 1:
        return found[0].id
    if not found:
        raise ValidationFailed(
            {
                "controller": [
                    N_("Aucune collectivité ne correspond à « %(wanted)s ».", wanted=wanted)
                ]
            }
        )
    shown = ", ".join(f"{o.name} ({o.siren})" for o in found[:MAX_MATCHES])
    more = f" et {len(found) - MAX_MATCHES} autres" if len(found) > MAX_MATCHES else ""
    raise ValidationFailed(
        {
            "controller": [
                N_(
                    "Plusieurs collectivités correspondent : %(shown)s%(more)s. Précisez le SIREN.",
                    shown=shown,
                    more=more,
                )
            ]
        }
    )


@bp.route("/evidence/", methods=["GET", "POST"])
@roles_required(*BUILDERS)
@reauth.confirmation_required(lambda: request.method == "POST")
def index():
    actor = current_actor()
    form, errors = dict(request.form), {}
    if request.method == "POST":
        try:
            params = {"from": form.get("from"), "to": form.get("to")}
            if actor.is_processor_staff:
                params["controller_id"] = pick_controller(form.get("controller", ""), actor)
            job, password = request_pack(params, actor=actor, now=clock.now())
        except DomainError as err:
            errors = form_errors_of(err)
        else:
            # The password is shown here once: never cached, never in the session or a redirect.
            answer = render_template("evidence/queued.html", job=job, password=password)
            return answer, 202, {"Cache-Control": "no-store"}
    packs = [j for j in jobs.my_jobs(actor=actor) if j.kind == KIND]
    return render_template("evidence/index.html", form=form, errors=errors, packs=packs,
                           actor=actor)  # fmt: skip


@bp.route("/evidence/verify", methods=["GET", "POST"])
@roles_required(*BUILDERS, roles.AUDITOR)
def verify():
    problems, checked, errors = None, None, {}
    if request.method == "POST":
        upload, password = request.files.get("pack"), request.form.get("password", "")
        if upload is None or not upload.filename:
            errors["pack"] = [N_("Joignez le paquet (fichier zip).")]
        if not password:
            errors["password"] = [N_("Indiquez le mot de passe du paquet.")]
        if not errors:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "paquet.zip"
                upload.save(path)
                problems = services.verify(path, password, now=clock.now())
                checked = upload.filename
    return render_template("evidence/verify.html", problems=problems, checked=checked,
                           errors=errors)  # fmt: skip
