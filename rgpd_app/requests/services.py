"""Data-subject request use cases, the identity purge job and the "Mes échéances" provider.

One module per concept — recording (receipt, forwarding, the municipality's request for help,
identity reads, closing), assistance (extension, time, outcome), purge; views, API and the
worker call them through here.
"""

from datetime import datetime

from rgpd_app.foundation.actor import Actor
from rgpd_app.requests import assistance, purge, recording
from rgpd_app.requests.access import RequestRefused, get_request, list_requests
from rgpd_app.requests.models import SubjectRequest
from rgpd_app.requests.timing import clocks_for

__all__ = [
    "RequestRefused",
    "assistance",
    "clocks_for",
    "list_requests",
    "recording",
]


def read_request(request_id: int, *, actor: Actor, now: datetime) -> SubjectRequest:
    """One request without the requester's identity (read through `recording.read_identity`)."""
    return get_request(request_id, actor=actor)


def purge_identity(now: datetime) -> int:
    return purge.purge_identities(now)
