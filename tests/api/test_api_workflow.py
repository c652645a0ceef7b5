"""One whole workflow through the API as an integrator's client would drive it, every request
and every answer validated against the served OpenAPI document (openapi-core): a sub-processor
change notice sent to two municipalities, one objecting and one approving, then the outcome."""

import json
from datetime import UTC, datetime

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from sqlalchemy import select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from rgpd_app.extensions import db
from rgpd_app.notifications.models import OutboxMessage
from rgpd_app.subprocessors import services
from tests.subprocessor_support import SENT_AT

NOTICES = "/api/v1/subprocessor-notices"
PROBLEM = "application/problem+json"  # RFC 9457: JSON, which openapi-core reads once told


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture
def validated(app, client, api):
    """api(user), whose every call is checked against the document, request and answer."""
    document = OpenAPI.from_dict(
        client.get("/api/v1/openapi.json").json,
        config=Config(extra_media_type_deserializers={PROBLEM: json.loads}),
    )
    seen = []

    class Validated:
        def __init__(self, user):
            self.caller = api(user)

        def __getattr__(self, method):
            def call(path, **kwargs):
                response = getattr(self.caller, method)(path, **kwargs)
                # the same request again, as openapi-core reads it (the first body was consumed)
                headers = self.caller.headers | kwargs.get("headers", {})
                sent = EnvironBuilder(path, method=method.upper(), headers=headers,
                                      json=kwargs.get("json"))  # fmt: skip
                request = WerkzeugOpenAPIRequest(Request(sent.get_environ()))
                document.validate_request(request)
                document.validate_response(request, WerkzeugOpenAPIResponse(response))
                seen.append((method.upper(), path, response.status_code))
                return response

            return call

    Validated.seen = seen
    return Validated


def test_a_notice_answered_by_two_municipalities(validated, sub_world, clock):
    dpo = validated(sub_world.dpo.user)
    rennes, metz = validated(sub_world.rennes_dpo.user), validated(sub_world.metz_dpo.user)
    created = dpo.post(
        NOTICES,
        json={
            "kind": "addition",
            "subprocessor_id": sub_world.sub.id,
            "activities": ["hosting"],
            "contract_start_on": "2026-04-01",
            "contract_end_on": "2029-03-31",
        },
        headers={"Idempotency-Key": "notice-armor-2026"},
    )
    assert created.status_code == 201
    notice = created.json["id"]
    assert dpo.post(f"{NOTICES}/{notice}/send").json["state"] == "sent"
    # the mail server accepts the two e-mails: the 7-day windows start
    for message in db.session.scalars(select(OutboxMessage)):
        message.state, message.accepted_at = "sent", SENT_AT
    db.session.commit()
    services.windows.start_windows(SENT_AT)

    [mine] = rennes.get(f"{NOTICES}/{notice}/recipients").json["items"]
    [theirs] = metz.get(f"{NOTICES}/{notice}/recipients").json["items"]
    assert mine["state"] == theirs["state"] == "open"
    objection = rennes.post(
        f"{NOTICES}/{notice}/recipients/{mine['id']}/objection",
        json={"reason": "Hébergeur non certifié HDS"},
    )
    assert objection.status_code == 200 and objection.json["state"] == "objected"
    approval = metz.post(
        f"{NOTICES}/{notice}/recipients/{theirs['id']}/approval",
        json={"reference": "Délibération 2026-12"},
    )
    assert approval.status_code == 200 and approval.json["state"] == "approved"
    clock.set(datetime(2026, 3, 10, 8, 0, tzinfo=UTC))  # both windows have closed
    outcome = dpo.post(
        f"{NOTICES}/{notice}/recipients/{mine['id']}/outcome",
        json={"outcome": "alternative_offered", "note": "Un hébergeur certifié HDS est proposé"},
    )
    assert outcome.status_code == 200 and outcome.json["state"] == "resolved"
    recipients = dpo.get(f"{NOTICES}/{notice}/recipients").json["items"]
    assert sorted(r["state"] for r in recipients) == ["approved", "resolved"]
    late = metz.post(
        f"{NOTICES}/{notice}/recipients/{theirs['id']}/objection", json={"reason": "Trop tard"}
    )
    assert late.status_code == 409 and late.json["code"] in {"window_closed", "already_answered"}
    assert len(validated.seen) == 9  # every call above, request and answer, validated
