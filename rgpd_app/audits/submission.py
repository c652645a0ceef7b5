"""A municipality announces an audit: every rule checked at once, then recorded (annex 4.6)."""

from datetime import datetime

from sqlalchemy import select

import audit as rules_lib
from audit import AuditState
from deadlines import DeadlineError, format_day_fr, format_instant_fr
from rgpd_app.audits import notify, rules, storage
from rgpd_app.audits.access import AuditRefused, calendar_of, paris_day, terms_for
from rgpd_app.audits.models import NDA, AuditAuditor, AuditRequest
from rgpd_app.errors import DomainError, NotFound
from rgpd_app.extensions import db
from rgpd_app.files import Upload
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, require
from rgpd_app.messages import N_
from rgpd_app.organisations.models import Organisation

_NOT_HELD = {AuditState.REFUSED, AuditState.CANCELLED}


class AuditCheckFailed(DomainError):
    """The notice breaks the contract: every violation, with the dates that would be allowed."""

    code = "audit_rules"

    def __init__(self, check: rules_lib.AuditCheck, fields: dict, message: str):
        super().__init__(message, fields=fields)
        self.check = check


def check_fields(check: rules_lib.AuditCheck) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for violation in check.violations:
        fields.setdefault(rules.auditor_field(violation.field), []).append(violation.message)
    return fields


def _past_audits(org_id: int, exclude_id: int | None = None) -> list[rules_lib.PastAudit]:
    stmt = select(AuditRequest).where(AuditRequest.organisation_id == org_id)
    found = []
    for other in db.session.scalars(stmt):
        if other.id == exclude_id:
            continue
        never_held = other.state in _NOT_HELD or (
            other.state == AuditState.CLOSED and other.started_at is None
        )
        found.append(
            rules_lib.PastAudit(
                other.reference,
                other.start_on,
                is_refused_or_cancelled=never_held,
                is_reaudit=other.is_reaudit,
            )
        )
    return found


def _reaudit_origin(data: dict, org: Organisation, actor: Actor) -> AuditRequest | None:
    origin_id = data.get("reaudit_of_id")
    if not origin_id:
        return None
    origin = get_visible(AuditRequest, origin_id, actor)
    if origin.organisation_id != org.id:
        raise NotFound()
    if origin.state != AuditState.CONTESTED:
        raise AuditRefused(
            N_(
                "Un nouvel audit ne suit que un rapport contesté : l'audit %(reference)s n'est "
                "pas à l'état « rapport contesté ».",
                reference=origin.reference,
            ),
            code="reaudit_not_contested",
            fields={"reaudit_of_id": [N_("Choisissez un audit dont le rapport est contesté.")]},
        )
    again = db.session.scalar(
        select(AuditRequest.id).where(
            AuditRequest.reaudit_of_id == origin.id,
            AuditRequest.state.not_in([AuditState.CANCELLED, AuditState.REFUSED]),
        )
    )
    if again:
        raise AuditRefused(
            N_(
                "Le nouvel audit qui suit le rapport contesté de %(reference)s est déjà demandé.",
                reference=origin.reference,
            ),
            code="reaudit_exists",
            fields={"reaudit_of_id": [N_("Un nouvel audit est déjà demandé pour ce rapport.")]},
        )
    return origin


def _request_input(data: dict, nda_present: list[bool], received_on, origin):
    auditors = tuple(
        rules_lib.AuditorInput(
            a.get("name"),
            a.get("firm"),
            a.get("reference"),
            has_signed_nda=nda_present[i] if i < len(nda_present) else False,
        )
        for i, a in enumerate(data.get("auditors") or [])
    )
    return rules_lib.AuditRequestInput(
        notice_received_on=received_on,
        start_on=data.get("start_on"),
        end_on=data.get("end_on"),
        period_from=data.get("period_from"),
        period_to=data.get("period_to"),
        auditors=auditors,
        reaudit_of_firm=(origin.firms[0] if origin is not None and origin.firms else None),
    )


def _municipality(actor: Actor, organisation_id: int | None) -> Organisation:
    if organisation_id is not None:
        org = get_visible(Organisation, organisation_id, actor, column=Organisation.id)
    else:
        org = actor.user.organisation
    if org.is_processor:
        raise AuditRefused(
            N_("Indiquez la collectivité qui annonce l'audit."),
            code="organisation_missing",
            fields={"organisation_id": [N_("Choisissez une collectivité.")]},
        )
    return org


def _check(request: rules_lib.AuditRequestInput, org: Organisation, now: datetime):
    """The rules' answer; a start so far back that its latest notice day would fall before the
    calendar's first day is refused on that field (no date to compute, no server error)."""
    try:
        return rules_lib.check_request(
            request, _past_audits(org.id), terms_for(org), calendar_of(org), now
        )
    except DeadlineError as err:
        raise AuditRefused(err.message, code=err.code, fields={"start_on": [err.message]}) from None


def check_draft(
    data: dict, *, actor: Actor, now: datetime, organisation_id: int | None = None
) -> rules_lib.AuditCheck:
    """The rules on a draft notice as if received now; nothing is saved."""
    require(actor, roles.CONTROLLER_DPO, roles.PROCESSOR_DPO)
    org = _municipality(actor, organisation_id if actor.is_processor_staff else None)
    origin = _reaudit_origin(data, org, actor)
    nda = [bool(a.get("has_signed_nda")) for a in data.get("auditors") or []]
    return _check(_request_input(data, nda, paris_day(now), origin), org, now)


def request_audit(
    data: dict, ndas: list[Upload | None], *, actor: Actor, now: datetime
) -> AuditRequest:
    """The municipality's DPO announces an audit; the notice is received now (annex 4.6)."""
    require(actor, *rules.REQUESTERS)
    org = _municipality(actor, None)
    origin = _reaudit_origin(data, org, actor)
    upload_errors = {
        f"auditors-{i}-nda": storage.check_upload(u, "nda")
        for i, u in enumerate(ndas)
        if u is not None and u.filename and storage.check_upload(u, "nda")
    }
    present = [u is not None and bool(u.filename) for u in ndas]
    check = _check(_request_input(data, present, paris_day(now), origin), org, now)
    fields = {**check_fields(check), **upload_errors}
    asked = bool(data.get("ask_agreement"))
    if not check.is_acceptable or upload_errors:
        raise AuditCheckFailed(check, fields, N_("La demande d'audit ne respecte pas le contrat."))
    if check.needs_processor_agreement and not asked:
        fields["ask_agreement"] = [
            N_(
                "Cette demande dépasse la limite d'un audit par période : cochez « demander "
                "l'accord "
                "du sous-traitant » pour l'enregistrer quand même, ou choisissez une date permise."
            )
        ]
        raise AuditCheckFailed(
            check, fields, N_("La demande d'audit nécessite l'accord du sous-traitant.")
        )
    item = AuditRequest(
        organisation_id=org.id,
        organisation=org,
        requested_by_id=actor.id,
        notice_received_at=now,
        start_on=data["start_on"],
        end_on=data["end_on"],
        scope=(data.get("scope") or "").strip(),
        period_from=data["period_from"],
        period_to=data["period_to"],
        state=AuditState.REQUESTED,
        needs_processor_agreement=check.needs_processor_agreement,
        is_reaudit=origin is not None,
        reaudit_of_id=origin.id if origin is not None else None,
        created_at=now,
    )
    db.session.add(item)
    db.session.flush()
    for values, upload in zip(data["auditors"], ndas, strict=False):
        document = storage.store(item, upload, kind=NDA, actor=actor, now=now)
        db.session.add(
            AuditAuditor(
                audit=item,
                name=values["name"].strip(),
                firm=values["firm"].strip(),
                reference=values["reference"].strip(),
                email=(values.get("email") or "").strip().lower(),
                nda_document=document,
            )
        )
    record(
        "audit.requested",
        now=now,
        actor=actor,
        organisation_id=org.id,
        object_type="audit_request",
        object_id=item.id,
        details={
            "start_on": item.start_on,
            "end_on": item.end_on,
            "needs_processor_agreement": item.needs_processor_agreement,
            "reaudit_of_id": item.reaudit_of_id,
            "auditors": len(data["auditors"]),
        },
    )
    _announce(item, check, now=now)
    db.session.commit()
    return item


def _announce(item: AuditRequest, check: rules_lib.AuditCheck, *, now: datetime) -> None:
    refusal = check.refusal_deadline
    lines = [
        f"Audit du {format_day_fr(item.start_on)} au {format_day_fr(item.end_on)}, période "
        f"auditée du {format_day_fr(item.period_from)} au {format_day_fr(item.period_to)}.",
        "Auditeurs : " + ", ".join(f"{a.name} ({a.firm}, {a.reference})" for a in item.auditors),
        f"Préavis reçu le {format_instant_fr(item.notice_received_at)}.",
        f"Le sous-traitant peut refuser l'auditeur jusqu'au {format_instant_fr(refusal.closes_at)}"
        " ; sans refus à cette date, l'audit est accepté.",
    ]
    if item.needs_processor_agreement:
        lines.append(
            "Cette demande dépasse la limite d'un audit par période : elle nécessite l'accord "
            "exprès du sous-traitant."
        )
    if item.is_reaudit:
        lines.append("Nouvel audit après un rapport contesté : il ne compte pas dans la limite.")
    notify.tell(
        item,
        notify.PROCESSOR,
        title="Nouvelle demande d'audit",
        lines=lines,
        now=now,
        event="requested",
    )
    notify.tell(
        item,
        notify.MUNICIPALITY,
        title="Demande d'audit enregistrée",
        lines=lines,
        now=now,
        event="requested",
    )
