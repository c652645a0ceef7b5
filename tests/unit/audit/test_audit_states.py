from datetime import UTC, date, datetime

import pytest

from audit import (
    ACTION_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    AuditAction,
    AuditRuleError,
    AuditState,
    ContractTerms,
    allowed_actions,
    due_silent_acceptance,
    refusal_deadline,
    transition,
)
from deadlines import DeadlineError, calendar_for

S, A = AuditState, AuditAction
# Notice received Friday 15 May 2026: the refusal window ends Monday 1 June 2026 at 24:00 Paris.
WINDOW = refusal_deadline(date(2026, 5, 15), ContractTerms(), calendar_for("FR"))
CLOSES_AT = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)
ONE_MINUTE_BEFORE = datetime(2026, 6, 1, 21, 59, tzinfo=UTC)
NOW = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)


def apply(state, *actions, **context):
    for action in actions:
        state = transition(state, action, now=context.pop("now", NOW), **context)
    return state


def refused(action, state, **context) -> AuditRuleError:
    with pytest.raises(AuditRuleError) as caught:
        transition(state, action, now=context.pop("now", NOW), **context)
    return caught.value


def test_the_window_closes_at_midnight_paris_on_monday_1_june():
    assert WINDOW.closes_at == CLOSES_AT


def test_an_audit_runs_from_request_to_closing_after_observations():
    assert (
        apply(S.REQUESTED, A.ACCEPT, A.START, A.RECEIVE_REPORT, A.SEND_OBSERVATIONS, A.CLOSE)
        is S.CLOSED
    )


def test_a_significant_failing_opens_a_corrective_plan_closed_when_every_measure_is_done():
    state = apply(S.REQUESTED, A.ACCEPT, A.START, A.RECEIVE_REPORT, A.SEND_OBSERVATIONS)
    state = transition(state, A.REQUIRE_CORRECTIVE_PLAN, now=NOW)
    assert state is S.CORRECTIVE_PLAN
    assert transition(state, A.CLOSE, now=NOW, open_measures=0) is S.CLOSED


@pytest.mark.parametrize(("open_measures", "shown"), [(2, "2"), (None, "non indiqué")])
def test_a_corrective_plan_with_open_measures_cannot_be_closed(open_measures, shown):
    error = refused(A.CLOSE, S.CORRECTIVE_PLAN, open_measures=open_measures)
    assert error.code == "measures_open"
    assert error.field == "open_measures"
    assert f"mesures restantes : {shown}" in error.message


@pytest.mark.parametrize("state", [S.REPORT_RECEIVED, S.OBSERVATIONS_SENT])
def test_a_contested_report_ends_the_audit_as_contested(state):
    assert transition(state, A.CONTEST_REPORT, now=NOW) is S.CONTESTED


def test_the_processor_refuses_the_auditor_within_the_window_with_a_reason():
    state = transition(
        S.REQUESTED,
        A.REFUSE,
        now=ONE_MINUTE_BEFORE,
        refusal_deadline=WINDOW,
        reason="Le cabinet audite notre concurrent direct.",
    )
    assert state is S.REFUSED


def test_a_refusal_needs_a_reason():
    error = refused(A.REFUSE, S.REQUESTED, refusal_deadline=WINDOW, reason="   ")
    assert error.code == "refusal_reason_missing"
    assert error.field == "reason"


def test_a_refusal_after_the_window_closed_is_refused_with_its_date():
    error = refused(A.REFUSE, S.REQUESTED, now=CLOSES_AT, refusal_deadline=WINDOW, reason="x")
    assert error.code == "refusal_window_closed"
    assert "lundi 1er juin 2026 à 24:00" in error.message


def test_a_refusal_needs_the_refusal_deadline():
    error = refused(A.REFUSE, S.REQUESTED, reason="x")
    assert error.code == "refusal_deadline_missing"


def test_after_a_refusal_the_municipality_accepts_the_proposed_external_firm():
    state = transition(S.REFUSED, A.ACCEPT_EXTERNAL_FIRM, now=NOW, firm="Audit & Associés")
    assert state is S.ACCEPTED
    assert transition(state, A.START, now=NOW) is S.IN_PROGRESS


def test_accepting_an_external_firm_needs_its_name():
    error = refused(A.ACCEPT_EXTERNAL_FIRM, S.REFUSED, firm=" ")
    assert error.code == "external_firm_missing"
    assert error.field == "firm"


def test_declining_the_external_firm_closes_the_audit():
    assert transition(S.REFUSED, A.DECLINE_EXTERNAL_FIRM, now=NOW) is S.CLOSED


@pytest.mark.parametrize("state", [S.REQUESTED, S.ACCEPTED, S.REFUSED])
def test_an_audit_that_has_not_started_can_be_cancelled(state):
    assert transition(state, A.CANCEL, now=NOW) is S.CANCELLED


def test_silent_acceptance_is_due_at_the_closing_instant_and_not_one_minute_before():
    assert not due_silent_acceptance(S.REQUESTED, WINDOW, ONE_MINUTE_BEFORE)
    assert due_silent_acceptance(S.REQUESTED, WINDOW, CLOSES_AT)
    assert due_silent_acceptance("requested", WINDOW, datetime(2026, 6, 2, 0, 0, tzinfo=UTC))


@pytest.mark.parametrize("state", [s for s in S if s is not S.REQUESTED])
def test_silent_acceptance_is_only_due_on_a_pending_request(state):
    assert not due_silent_acceptance(state, WINDOW, CLOSES_AT)


def test_acceptance_by_silence_is_refused_while_the_window_is_open():
    error = refused(
        A.ACCEPT_BY_SILENCE, S.REQUESTED, now=ONE_MINUTE_BEFORE, refusal_deadline=WINDOW
    )
    assert error.code == "refusal_window_open"
    assert "lundi 1er juin 2026" in error.message
    assert (
        transition(S.REQUESTED, A.ACCEPT_BY_SILENCE, now=CLOSES_AT, refusal_deadline=WINDOW)
        is S.ACCEPTED
    )


def test_explicit_acceptance_is_possible_after_the_window():
    assert transition(S.REQUESTED, A.ACCEPT, now=CLOSES_AT) is S.ACCEPTED


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.ACCEPTED, A.REFUSE),
        (S.REQUESTED, A.START),
        (S.IN_PROGRESS, A.CANCEL),
        (S.REPORT_RECEIVED, A.CLOSE),
        (S.CLOSED, A.ACCEPT),
        (S.CONTESTED, A.RECEIVE_REPORT),
        (S.CORRECTIVE_PLAN, A.CONTEST_REPORT),
    ],
)
def test_illegal_transitions_name_the_state_and_the_action(state, action):
    error = refused(action, state, refusal_deadline=WINDOW, reason="x", firm="y", open_measures=0)
    assert error.code == "illegal_transition"
    assert error.field == "action"
    assert f"« {ACTION_LABELS[action]} »" in error.message
    assert f"« {STATE_LABELS[state]} »" in error.message


def test_every_pair_outside_the_table_is_refused():
    for state in S:
        for action in A:
            if (state, action) in TRANSITIONS:
                continue
            with pytest.raises(AuditRuleError) as caught:
                transition(state, action, now=NOW, refusal_deadline=WINDOW, reason="x")
            assert caught.value.code == "illegal_transition"


def test_terminal_states_allow_nothing():
    for state in (S.CLOSED, S.CANCELLED, S.CONTESTED):
        assert allowed_actions(state) == ()
    error = refused(A.ACCEPT, S.CANCELLED)
    assert error.message.endswith("Actions possibles : aucune.")


def test_allowed_actions_list_the_table():
    assert allowed_actions("refused") == (
        A.ACCEPT_EXTERNAL_FIRM,
        A.DECLINE_EXTERNAL_FIRM,
        A.CANCEL,
    )


def test_states_and_actions_may_be_given_as_stored_strings():
    assert transition("accepted", "start", now=NOW) is S.IN_PROGRESS


def test_unknown_states_and_actions_are_refused():
    assert refused("start", "archived").code == "unknown_state"
    assert refused("approve", "requested").code == "unknown_action"


def test_a_naive_now_is_refused():
    with pytest.raises(DeadlineError):
        transition(S.REQUESTED, A.ACCEPT, now=datetime(2026, 5, 20, 10, 0))


def test_every_state_and_action_has_a_french_label():
    assert set(STATE_LABELS) == set(S)
    assert set(ACTION_LABELS) == set(A)
