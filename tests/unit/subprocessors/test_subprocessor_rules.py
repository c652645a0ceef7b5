"""Pure rules of the sub-processors: catalogue, chain, windows, reminders, silence."""

from datetime import UTC, date, datetime

from deadlines import calendar_for
from rgpd_app.subprocessors import rules
from rgpd_app.subprocessors.notices import rules as nr

FR, MOSELLE = calendar_for("FR"), calendar_for("57")
EEA = {"FR", "DE", "IE"}
ADEQUACY = {"CH": "", "US": "Organisations certifiées au Data Privacy Framework uniquement"}
KNOWN = {"FR", "DE", "IE", "CH", "US", "IN"}
ARGS = dict(
    known_countries=KNOWN,
    eea=EEA,
    adequacy=ADEQUACY,
    activities={"hosting", "backup"},
    mechanisms={"adequacy", "sccs"},
)


def test_objection_window_ending_on_a_saturday_moves_to_monday():
    window = nr.window(date(2026, 3, 7), 7, FR)  # received Saturday 7 March
    assert window.deadline == date(2026, 3, 16)
    assert window.closes_at == datetime(2026, 3, 16, 23, 0, tzinfo=UTC)  # 24:00 Paris (CET)


def test_window_ending_on_a_weekend_before_easter_monday_moves_to_tuesday():
    window = nr.window(date(2026, 3, 28), 7, FR)  # raw end Saturday 4 April
    assert window.deadline == date(2026, 4, 7)
    assert window.closes_at == datetime(2026, 4, 7, 22, 0, tzinfo=UTC)  # CEST


def test_good_friday_extends_the_window_in_moselle_only():
    assert nr.window(date(2026, 3, 27), 7, FR).deadline == date(2026, 4, 3)
    assert nr.window(date(2026, 3, 27), 7, MOSELLE).deadline == date(2026, 4, 7)


def test_26_december_extends_the_window_in_moselle_only():
    assert nr.window(date(2025, 12, 19), 7, FR).deadline == date(2025, 12, 26)
    assert nr.window(date(2025, 12, 19), 7, MOSELLE).deadline == date(2025, 12, 29)


def test_reminder_goes_two_working_days_before_the_last_day():
    assert nr.reminder_day(date(2026, 3, 9), FR) == date(2026, 3, 5)  # Mon → Thu
    # Moselle: Easter Monday and Good Friday are not working days.
    assert nr.reminder_day(date(2026, 4, 7), MOSELLE) == date(2026, 4, 1)


def test_reminder_is_due_once_and_only_while_open():
    last = date(2026, 3, 9)
    assert not nr.is_reminder_due(nr.OPEN, False, last, date(2026, 3, 4), FR)
    assert nr.is_reminder_due(nr.OPEN, False, last, date(2026, 3, 5), FR)
    assert not nr.is_reminder_due(nr.OPEN, True, last, date(2026, 3, 5), FR)
    assert not nr.is_reminder_due(nr.OBJECTED, False, last, date(2026, 3, 5), FR)
    assert not nr.is_reminder_due(nr.OPEN, False, last, date(2026, 3, 10), FR)


def test_silence_accepts_except_a_transfer_outside_the_eea():
    assert nr.state_after_silence(False) == nr.ACCEPTED_BY_SILENCE
    assert nr.state_after_silence(True) == nr.NOT_AUTHORISED


def test_objection_after_the_close_is_refused_with_the_day_and_hour_it_closed():
    closes = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    before = datetime(2026, 3, 9, 22, 59, tzinfo=UTC)
    assert nr.objection_refusal(nr.OPEN, closes, date(2026, 3, 9), before) == ""
    assert nr.objection_refusal(nr.OPEN, closes, date(2026, 3, 9), closes) == (
        "Le délai d'objection a pris fin le lundi 9 mars 2026 à 24:00 (heure de Paris)."
    )
    assert nr.objection_refusal(nr.AWAITING_RECEIPT, None, None, before) == ""


def test_a_municipality_that_objected_never_sees_the_subprocessor_authorised():
    assert nr.authorisation(nr.ACCEPTED_BY_SILENCE, False) == nr.AUTHORISED
    assert nr.authorisation(nr.APPROVED, False) == nr.AUTHORISED
    for state in (nr.OBJECTED, nr.RESOLVED, nr.APPROVED):
        assert nr.authorisation(state, True) == nr.REFUSED
    assert nr.authorisation(nr.NOT_AUTHORISED, False) == nr.REFUSED
    assert nr.authorisation(nr.OPEN, False) == nr.PENDING
    assert nr.authorisation(None, False) == nr.UNKNOWN


def test_every_missing_element_is_listed_at_once():
    errors = nr.missing_elements(
        {
            "kind": "replacement",
            "subprocessor": {
                "id": 1,
                "legal_name": "X",
                "address": "",
                "contact": "",
                "is_outside_eea": True,
                "transfer_mechanism": "",
            },
            "replaced_id": None,
            "activities": [],
            "municipalities": ["Rennes"],
            "without_email": ["Rennes"],
        }
    )
    assert set(errors) == {
        "replaced_id",
        "subprocessor_id",
        "activities",
        "contract_start_on",
        "contract_end_on",
        "scope",
    }
    assert len(errors["subprocessor_id"]) == 3


def test_a_complete_notice_has_nothing_missing():
    sub = {"id": 1, "legal_name": "X", "address": "a", "contact": "c", "is_outside_eea": False}
    notice = {
        "kind": "addition",
        "subprocessor": sub,
        "activities": ["hosting"],
        "contract_start_on": date(2026, 4, 1),
        "contract_end_on": date(2027, 4, 1),
        "municipalities": ["Rennes"],
        "without_email": [],
    }
    assert nr.missing_elements(notice) == {}


def test_outside_eea_needs_a_mechanism_and_adequacy_must_cover_the_country():
    base = {"country": "FR", "processing_countries": ["IN"], "activities": ["hosting"]}
    assert "transfer_mechanism" in rules.catalogue_errors(base, **ARGS)
    errors = rules.catalogue_errors({**base, "transfer_mechanism": "adequacy"}, **ARGS)
    assert errors["transfer_mechanism"] == ["Pas de décision d'adéquation pour : IN."]
    assert rules.catalogue_errors({**base, "transfer_mechanism": "sccs"}, **ARGS) == {}
    us = {**base, "processing_countries": ["US"], "transfer_mechanism": "adequacy"}
    assert "transfer_documentation" in rules.catalogue_errors(us, **ARGS)
    assert rules.catalogue_errors({**us, "transfer_documentation": "certifié DPF"}, **ARGS) == {}


def test_catalogue_errors_are_collected_together():
    errors = rules.catalogue_errors(
        {
            "country": "ZZ",
            "processing_countries": ["QQ"],
            "activities": ["dancing"],
            "contract_start_on": date(2026, 2, 1),
            "contract_end_on": date(2026, 1, 1),
            "dpa_valid_until_on": date(2027, 1, 1),
        },
        **ARGS,
    )
    assert set(errors) == {
        "country",
        "processing_countries",
        "activities",
        "contract_end_on",
        "dpa_reference",
    }


def test_outside_eea_looks_at_the_seat_and_every_place_of_processing():
    assert not rules.outside_eea("FR", ["DE"], EEA)
    assert rules.outside_eea("FR", ["DE", "US"], EEA)
    assert rules.outside_eea("US", [], EEA)


def test_a_link_closing_a_loop_is_a_cycle():
    edges = [(1, 2), (2, 3)]
    assert rules.creates_cycle(edges, 3, 1)
    assert rules.creates_cycle(edges, 1, 1)
    assert not rules.creates_cycle(edges, 1, 3)
    assert not rules.creates_cycle(edges, 4, 1)


def test_chain_goes_down_to_the_last_known_level():
    links = rules.chain_below(1, [(1, 2), (2, 3), (3, 4), (1, 5), (9, 1)])
    assert [(link.depth, link.subprocessor_id, link.parent_id) for link in links] == [
        (1, 2, 1),
        (2, 3, 2),
        (3, 4, 3),
        (1, 5, 1),
    ]


def test_time_left_is_written_in_french():
    closes = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert nr.time_left_text(closes, datetime(2026, 3, 7, 18, 0, tzinfo=UTC)) == "2 j 5 h"
    assert nr.time_left_text(closes, datetime(2026, 3, 9, 22, 15, tzinfo=UTC)) == "45 min"
    assert nr.time_left_text(closes, closes) == "clos"
    assert nr.time_left_text(None, closes) == "pas commencé"
