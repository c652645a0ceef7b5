"""The audit page's POST forms come from one table: its URLs, and the roles it refuses."""

import pytest

from rgpd_app.audits import rules
from rgpd_app.audits.actions import views as action_views
from rgpd_app.audits.models import AuditRequest
from rgpd_app.extensions import db

# Every form of the audit page: templates link to these endpoints with url_for.
RULES = {
    "accept": "/audits/<int:audit_id>/accept",
    "add_document": "/audits/<int:audit_id>/documents",
    "add_measure": "/audits/<int:audit_id>/measures",
    "agreement": "/audits/<int:audit_id>/agreement",
    "auditor_password": "/audits/<int:audit_id>/auditors/<int:auditor_id>/password",
    "contest": "/audits/<int:audit_id>/contest",
    "firm": "/audits/<int:audit_id>/firm",
    "log_time": "/audits/<int:audit_id>/time",
    "measure_status": "/audits/<int:audit_id>/measures/<int:measure_id>",
    "observations": "/audits/<int:audit_id>/observations",
    "refuse": "/audits/<int:audit_id>/refuse",
    "report": "/audits/<int:audit_id>/report",
    "share_pack": "/audits/<int:audit_id>/packs",
    "step": "/audits/<int:audit_id>/step/<name>",
    "withdraw_pack": "/audits/<int:audit_id>/packs/<int:share_id>/withdraw",
}


def test_every_form_keeps_its_url_and_endpoint(app):
    found = {
        rule.endpoint.removeprefix("audit_actions."): (rule.rule, rule.methods - {"OPTIONS"})
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("audit_actions.")
    }
    assert found == {endpoint: (rule, {"POST"}) for endpoint, rule in RULES.items()}


def test_each_row_of_the_table_refuses_the_roles_it_leaves_out(app):
    for endpoint, action in action_views.ACTIONS.items():
        assert RULES[endpoint] == f"/audits/<int:audit_id>{action.rule}"
        assert app.view_functions[f"audit_actions.{endpoint}"].required_roles == action.roles


# Auditors are left out: their account is made by accepting an audit, not by make_user.
STEP_REFUSALS = [
    (name, role)
    for name, action in action_views.STEPS.items()
    for role in rules.READERS
    if role not in action.roles and role != "auditor"
]


@pytest.mark.parametrize(("name", "role"), STEP_REFUSALS)
def test_a_step_is_refused_to_a_reader_its_row_leaves_out(
    client, login_as, requested, make_user, name, role
):
    org = requested.organisation if role == "controller_dpo" else None
    login_as(make_user(role, org))
    state = requested.state
    answer = client.post(f"/audits/{requested.id}/step/{name}")
    assert answer.status_code == 403
    assert db.session.get(AuditRequest, requested.id).state == state
