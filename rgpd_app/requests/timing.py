"""The clocks of a request: the processor's assistance period and the municipality's own
one-month answer deadline (GDPR art. 12(3)), side by side (DESIGN §3)."""

from dataclasses import dataclass

from deadlines import Deadline, calendar_for, compute_clock, extend_days, months_after
from rgpd_app.requests import rules
from rgpd_app.requests.models import AssistanceRequest, SubjectRequest


@dataclass(frozen=True)
class AssistanceClock:
    """`first` is the unextended period; `extended` exists once the DPO has extended it."""

    first: Deadline
    extended: Deadline | None

    @property
    def current(self) -> Deadline:
        return self.extended or self.first

    @property
    def is_extended(self) -> bool:
        return self.extended is not None


def assistance_clock(assistance: AssistanceRequest) -> AssistanceClock:
    """15 days from the receipt of the municipality's request, +8 once from the unextended end."""
    org = assistance.request.organisation
    calendar = calendar_for(org.calendar_code)
    first = compute_clock("assistance", assistance.received_at, calendar, org.period_lengths())
    extended = None
    if assistance.is_extended:
        extended = extend_days(first, org.assistance_extension_days, calendar)
    return AssistanceClock(first, extended)


def controller_deadline(item: SubjectRequest) -> Deadline | None:
    """The municipality's answer deadline: 1 month from its receipt, 3 when it extended."""
    if item.controller_received_on is None:
        return None
    months = rules.CONTROLLER_MONTHS
    if item.controller_extended_at is not None:
        months += rules.CONTROLLER_EXTENSION_MONTHS
    calendar = calendar_for(item.organisation.calendar_code)
    return months_after(item.controller_received_on, months, calendar)


@dataclass(frozen=True)
class RequestClocks:
    assistance: AssistanceClock | None
    controller: Deadline | None

    @property
    def in_time(self) -> bool | None:
        """Whether the help ends by the municipality's deadline (None: nothing to compare)."""
        if self.assistance is None or self.controller is None:
            return None
        return rules.arrives_in_time(self.assistance.current.deadline, self.controller.deadline)


def clocks_for(item: SubjectRequest) -> RequestClocks:
    found = assistance_clock(item.assistance) if item.assistance is not None else None
    return RequestClocks(found, controller_deadline(item))
