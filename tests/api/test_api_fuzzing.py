"""Schemathesis over every documented /api/v1 operation, through WSGI, as each role of each
tenant: no answer ≥ 500, and every answer (status, content type, headers, body) as documented.

Bounded and reproducible: a fixed number of examples per operation and role, derandomized
(Hypothesis's seed comes from the test), so it runs in a few minutes and fails the same way twice.
`RGPD_FUZZ_TAGS=audits,registre` limits a run to those tags while working on them.
"""

import contextvars
import os

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rgpd_app.accounts import tokens

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 6
ROLES = ("admin", "processor_dpo", "security_officer", "support", "controller_dpo", "instructor")


@pytest.fixture
def backend():
    return "sqlite"  # the database-specific paths have their own tests on both


def isolated(app):
    """Each request in a fresh context, as under a WSGI server (tests hold an app context open),
    the answer closed once read as a server does (PEP 3333): a spooled export's file with it."""

    def answer(environ, start_response):
        body = app(environ, start_response)
        try:
            return list(body)
        finally:
            getattr(body, "close", lambda: None)()

    def wsgi(environ, start_response):
        return contextvars.Context().run(answer, environ, start_response)

    return wsgi


@pytest.fixture
def tenants(app, make_org, make_user, clock):
    """Two municipalities with their DPOs and instructors, the processor's staff, an auditor:
    a bearer token each."""
    first, second = make_org("Montigny"), make_org("Vaux")
    users = {
        "admin": make_user("admin"),
        "processor_dpo": make_user("processor_dpo"),
        "security_officer": make_user("security_officer"),
        "support": make_user("support"),
        "controller_dpo": make_user("controller_dpo", first),
        "instructor": make_user("instructor", second),
    }
    return {
        role: tokens.create_token(user, label="fuzz", actor=None, now=clock())
        for role, user in users.items()
    }


def _fuzz(app, token: str) -> tuple[list[str], dict[int, int]]:
    """Every operation's generated cases as the token's user: the failures, and the statuses."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))
    failures, statuses = [], {}
    tags = set(filter(None, os.environ.get("RGPD_FUZZ_TAGS", "").split(",")))
    for result in schema.get_all_operations():
        operation = result.ok()
        if tags and not tags & set(operation.definition.raw.get("tags", [])):
            continue  # RGPD_FUZZ_TAGS=registre,audits: only those (while working on them)

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        def run(case):
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            run()
        except Exception as err:  # noqa: BLE001  (each operation's failure is collected)
            failures.append(f"{operation.label}: {str(err)[:2000]}")
    return failures, statuses


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(app, tenants, role):
    failures, statuses = _fuzz(app, tenants[role])
    print(role, dict(sorted(statuses.items())))
    assert not failures, "\n\n".join(failures)
