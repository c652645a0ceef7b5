"""The deadline calculator, the running échéances and to-do tasks, and the iCalendar secret URL."""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import url_for
from sqlalchemy import select

from deadlines import (
    CLOCKS,
    PARIS,
    Calendar,
    Clock,
    Deadline,
    DeadlineError,
    calendar_for,
    compute_clock,
    format_day_fr,
    parse_start,
)
from deadlines.periods import add_months, end_of_day_utc
from rgpd_app.accounts.models import User
from rgpd_app.errors import NotFound, ValidationFailed
from rgpd_app.extensions import db
from rgpd_app.foundation import roles
from rgpd_app.foundation.actor import Actor, actor_for
from rgpd_app.foundation.journal import record
from rgpd_app.foundation.tenancy import get_visible, visible_controller_ids
from rgpd_app.messages import N_
from rgpd_app.organisations.models import CONTROLLER, PERIOD_DEFAULTS, Organisation

# The calendars offered in forms; the CLI and the API also take a département number.
CALENDAR_CHOICES = [(code, calendar_for(code).label) for code in ("FR", "57", "6AE")]


# --- The calculator -------------------------------------------------------------------------


@dataclass(frozen=True)
class Calculation:
    """A computed clock, with the calendar and the contract whose parameters were used."""

    clock: Clock
    calendar: Calendar
    deadline: Deadline
    organisation: Organisation | None

    @property
    def is_hours(self) -> bool:
        return self.clock.kind == "hours"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: instants in Europe/Paris ISO 8601 with offset, days as YYYY-MM-DD."""
        values = self.deadline.to_dict()
        values.pop("calendar_code")
        org = self.organisation
        return {
            "clock": self.clock.name,
            "label": self.clock.label,
            "calendar": self.calendar.code,
            "calendar_label": self.calendar.label,
            "organisation_id": org.id if org is not None else None,
            **values,
        }


EARLIEST_START = date(1970, 1, 1)


def _length_field(field: str | None) -> str:
    if field in PERIOD_DEFAULTS or field in ("length", "extension"):
        return "length"
    return field or "_schema"


def compute(
    clock_name: str,
    start_text: str,
    calendar_code: str | None = None,
    *,
    organisation: Organisation | None = None,
    length: int | None = None,
) -> Calculation:
    """One clock from text input; every refused field is reported at once (ValidationFailed).

    Without ``calendar_code`` the organisation's calendar (else metropolitan France) applies;
    lengths come from the organisation's contract (else the defaults), ``length`` overrides.
    """
    errors: dict[str, list[str]] = {}
    clock = CLOCKS.get(clock_name)
    if clock is None:
        errors["clock"] = [
            N_(
                "Délai inconnu : « %(clock_name)s ». Délais connus : %(known)s.",
                clock_name=clock_name,
                known=", ".join(CLOCKS),
            )
        ]
    code = calendar_code or (organisation.calendar_code if organisation is not None else "FR")
    try:
        calendar = calendar_for(code)
    except DeadlineError as err:
        errors["calendar"] = [err.message]
    try:
        start = parse_start(start_text)
    except DeadlineError as err:
        errors["start"] = [err.message]
    else:
        if (start.date() if isinstance(start, datetime) else start) < EARLIEST_START:
            # Paris kept its local mean time (UTC+00:09:21) until 1911: no ISO 8601 offset.
            errors["start"] = [N_("Point de départ trop ancien : le 1er janvier 1970 au plus tôt.")]
    if errors:
        raise ValidationFailed(
            errors, N_("Le calcul est impossible : corrigez les champs signalés.")
        )
    lengths = organisation.period_lengths() if organisation is not None else {}
    if length is not None:
        lengths[clock.parameter] = length
    try:
        deadline = compute_clock(clock.name, start, calendar, lengths)
    except DeadlineError as err:
        raise ValidationFailed({_length_field(err.field): [err.message]}) from None
    return Calculation(clock, calendar, deadline, organisation)


def contract_for(organisation_id: int | None = None, *, actor: Actor) -> Organisation | None:
    """The municipality whose contract sets the parameters: the one asked for (404 if not
    visible), else the only one the actor sees; None means the defaults (processor staff)."""
    if organisation_id is not None:
        org = get_visible(Organisation, organisation_id, actor, column=Organisation.id)
        return None if org.is_processor else org
    ids = visible_controller_ids(actor)
    if ids is not None and len(ids) == 1:
        return db.session.get(Organisation, next(iter(ids)))
    return None


# --- "Mes échéances": what the providers return, and the providers asked ----------------------


@dataclass(frozen=True)
class Echeance:
    """One running clock a user is concerned by.

    ``due_at`` (aware UTC) is the instant the period closes and orders the list; ``deadline``
    is the last day (day and month clocks: an all-day event) or the instant (hour clocks: a
    timed event). ``uid`` must be stable and unique: it is the iCalendar UID.
    """

    uid: str
    kind: str
    title: str
    organisation_name: str
    due_at: datetime
    deadline: date | datetime
    steps: tuple[str, ...] = ()
    url: str = ""
    organisation_id: int | None = None

    @property
    def is_timed(self) -> bool:
        return isinstance(self.deadline, datetime)


Provider = Callable[[Actor, datetime], Iterable[Echeance]]
# Providers added at run time (tests add their own); the application's are in rgpd_app.echeances.
_ADDED_PROVIDERS: dict[str, Provider] = {}


@dataclass
class _Listed:
    PROVIDERS: dict[str, Provider]
    TASK_PROVIDERS: dict[str, Callable]


# The application's lists (rgpd_app.echeances, beside the blueprints) are handed in by
# create_app: this domain sits below the domains whose providers it asks.
_LISTED = _Listed({}, {})


def use_listed(listed) -> None:
    """Ask the providers of `listed` (a module or object with PROVIDERS and TASK_PROVIDERS)."""
    global _LISTED
    _LISTED = listed


def _listed():
    return _LISTED


def _qualified(fn: Provider) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def provider(name: str) -> Callable[[Provider], Provider]:
    """Add ``fn(actor, now) -> Iterable[Echeance]`` at run time (tests add their own and remove
    it afterwards); it returns only what the actor may see."""

    def register(fn: Provider) -> Provider:
        known = _listed().PROVIDERS.get(name) or _ADDED_PROVIDERS.get(name)
        # Two providers must not share a name; the same function added again is harmless.
        if known is not None and _qualified(known) != _qualified(fn):
            raise ValueError(f"Échéances provider {name!r} is already registered by {known!r}.")
        _ADDED_PROVIDERS[name] = fn
        return fn

    return register


def unregister_provider(name: str) -> None:
    """Remove a provider added with `provider` (tests remove theirs afterwards)."""
    _ADDED_PROVIDERS.pop(name, None)


def providers() -> dict[str, Provider]:
    """The providers asked for "Mes échéances": the listed ones, then any added at run time."""
    return {**_listed().PROVIDERS, **_ADDED_PROVIDERS}


def echeance_from_deadline(
    deadline: Deadline,
    *,
    uid: str,
    kind: str,
    title: str,
    organisation_name: str,
    url: str = "",
    organisation_id: int | None = None,
) -> Echeance:
    """An échéance for a computed clock, with its explanation steps."""
    return Echeance(
        uid=uid,
        kind=kind,
        title=title,
        organisation_name=organisation_name,
        due_at=deadline.closes_at,
        deadline=deadline.deadline,
        steps=tuple(step.text for step in deadline.steps),
        url=url,
        organisation_id=organisation_id,
    )


def echeances_for(actor: Actor, *, now: datetime) -> list[Echeance]:
    """Every provider's échéances for the actor, most urgent (earliest) first."""
    items = [item for fn in providers().values() for item in fn(actor, now)]
    return sorted(items, key=lambda item: (item.due_at, item.title, item.uid))


# --- The dashboard's to-do items that have no clock ------------------------------------------


@dataclass(frozen=True)
class Task:
    """Something waiting for the user now, with no legal clock of its own (an instruction to
    acknowledge, an export ready to download). ``since`` orders the list (oldest first)."""

    uid: str
    domain: str  # a navigation section key: "subprocessing", "audits", "files", "admin"...
    title: str
    organisation_name: str
    since: datetime
    url: str
    organisation_id: int | None = None
    action: str = ""  # what to do, shown as the item's badge: "À accuser réception"


TaskProvider = Callable[[Actor, datetime], Iterable[Task]]


def tasks_for(actor: Actor, *, now: datetime) -> list[Task]:
    """Every listed task provider's items for the actor, oldest first."""
    items = [item for fn in _listed().TASK_PROVIDERS.values() for item in fn(actor, now)]
    return sorted(items, key=lambda item: (item.since, item.title, item.uid))


def contract_ends(actor: Actor, now: datetime) -> list[Echeance]:
    """End of each visible municipality's contract, within 12 months or overdue; for the
    processor's DPO and administrators, and for that municipality's DPO."""
    stmt = select(Organisation).where(
        Organisation.kind == CONTROLLER, Organisation.contract_end_on.is_not(None)
    )
    if not (actor.is_processor_staff and actor.has(roles.ADMIN, roles.PROCESSOR_DPO)):
        if not actor.has(roles.CONTROLLER_DPO):
            return []
        stmt = stmt.where(Organisation.id == actor.organisation_id)
    today = now.astimezone(PARIS).date()
    stmt = stmt.where(Organisation.contract_end_on <= add_months(today, 12))
    items = []
    for org in db.session.scalars(stmt.order_by(Organisation.id)):
        end = org.contract_end_on
        reference = f" {org.contract_reference}" if org.contract_reference else ""
        items.append(
            Echeance(
                uid=f"contract-end-{org.id}-{end.isoformat()}",
                kind="contract-end",
                title="Fin du contrat de maintenance",
                organisation_name=org.name,
                due_at=end_of_day_utc(end),
                deadline=end,
                steps=(
                    f"Le contrat{reference} de {org.name} prend fin le {format_day_fr(end)} "
                    "(date de fin saisie sur la fiche de la collectivité).",
                    "Affiché à partir de 12 mois avant la fin, et tant que la date n'est pas "
                    "mise à jour une fois dépassée.",
                ),
                url=url_for("organisations.detail", org_id=org.id),
                organisation_id=org.id,
            )
        )
    return items


# --- The iCalendar secret URL -----------------------------------------------------------------


def _feed_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed_token(*, actor: Actor, now: datetime) -> str:
    """A new secret feed token, shown once; only its SHA-256 is kept, the old one stops working."""
    user = actor.user
    regenerated = user.ical_token_hash is not None
    token = secrets.token_urlsafe(32)
    user.ical_token_hash = _feed_hash(token)
    record(
        "ical.regenerated" if regenerated else "ical.created",
        now=now,
        actor=actor,
        object_type="user",
        object_id=user.id,
    )
    db.session.commit()
    return token


def revoke_feed_token(*, actor: Actor, now: datetime) -> None:
    """Delete the secret feed URL: it answers 404 from now on."""
    user = actor.user
    if user.ical_token_hash is None:
        return
    user.ical_token_hash = None
    record("ical.revoked", now=now, actor=actor, object_type="user", object_id=user.id)
    db.session.commit()


def feed_for_token(token: str, *, now: datetime) -> tuple[Actor, list[Echeance]]:
    """The owner of a feed token and their échéances (404 for an unknown token); journaled."""
    user = db.session.scalar(select(User).where(User.ical_token_hash == _feed_hash(token)))
    if user is None or not user.is_enabled:
        raise NotFound()
    actor = actor_for(user, now)
    items = echeances_for(actor, now=now)
    record(
        "ical.fetched",
        now=now,
        actor=actor,
        object_type="user",
        object_id=user.id,
        details={"events": len(items)},
    )
    db.session.commit()
    return actor, items
