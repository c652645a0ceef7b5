from flask import Blueprint, Response, redirect, render_template, request, url_for

from deadlines import CLOCKS
from rgpd_app import clock
from rgpd_app.clocks import ical, rules, services
from rgpd_app.clocks.schemas import DeadlineQueryInput
from rgpd_app.errors import ValidationFailed
from rgpd_app.messages import N_
from rgpd_app.organisations import picking
from rgpd_app.validation import load
from rgpd_app.web import current_actor, flash, roles_required

bp = Blueprint("clocks", __name__)

CLOCK_CHOICES = [(c.name, c.label) for c in CLOCKS.values()]


@bp.get("/deadlines/")
@roles_required()
def calculator():
    actor = current_actor()
    errors, result = {}, None
    contract = services.contract_for(actor=actor)
    form = {"calendar": contract.calendar_code if contract is not None else ""}
    if contract is not None:
        form["organisation_id"] = contract.id
    if "clock" in request.args or "start" in request.args:
        form = request.args
        try:
            data = load(DeadlineQueryInput(), picking.with_typed(request.args, actor=actor))
            if data["organisation_id"] is not None:
                contract = services.contract_for(data["organisation_id"], actor=actor)
            result = services.compute(
                data["clock"],
                data["start"],
                data["calendar"],
                organisation=contract,
                length=data["length"],
            )
        except ValidationFailed as err:
            errors = picking.on_typed_field(err.fields or {"_form": [err.message]}, request.args)
    return render_template(
        "clocks/calculator.html",
        form=form,
        errors=errors,
        result=result,
        contract=result.organisation if result is not None else contract,
        clock_choices=CLOCK_CHOICES,
        calendar_choices=services.CALENDAR_CHOICES,
        # Processor staff type the municipality whose contract gives the lengths (1,500 of them).
        can_pick=actor.is_processor_staff,
        organisation_text=picking.typed_text(form, actor=actor),
        deadline_fr=rules.deadline_fr,
    ), (400 if errors else 200)


def echeance_rows(actor, now, limit: int | None = None) -> list[dict]:
    """The actor's running clocks, most urgent first, ready for a template."""
    items = services.echeances_for(actor, now=now)[:limit]
    return [
        {
            "item": item,
            "deadline": rules.deadline_fr(item.deadline),
            "left": rules.time_left_fr(item.due_at, now),
            "is_overdue": rules.is_overdue(item.due_at, now),
        }
        for item in items
    ]


def _echeances_page(feed_url: str | None = None):
    actor, now = current_actor(), clock.now()
    rows = echeance_rows(actor, now)
    return render_template(
        "clocks/echeances.html",
        rows=rows,
        has_feed=actor.user.ical_token_hash is not None,
        feed_url=feed_url,
    )


@bp.get("/echeances/")
@roles_required()
def echeances():
    return _echeances_page()


@bp.post("/echeances/ical")
@roles_required()
def create_feed():
    token = services.create_feed_token(actor=current_actor(), now=clock.now())
    # The token is shown once, on this answer; only its hash is kept.
    return _echeances_page(url_for("clocks.feed", token=token, _external=True))


@bp.post("/echeances/ical/revoke")
@roles_required()
def revoke_feed():
    services.revoke_feed_token(actor=current_actor(), now=clock.now())
    flash(N_("Le lien d'abonnement a été supprimé."), "success")
    return redirect(url_for("clocks.echeances"))


@bp.get("/echeances/ical/<token>.ics")
def feed(token: str):
    now = clock.now()
    _actor, items = services.feed_for_token(token, now=now)
    body = ical.render_feed(items, now=now, base_url=request.host_url)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="echeances.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
