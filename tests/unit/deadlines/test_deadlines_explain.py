from datetime import UTC, date, datetime

import pytest

from deadlines import PARIS, DeadlineError, Step, format_day_fr, format_instant_fr


def test_days_are_written_in_french_whatever_the_os_locale():
    assert format_day_fr(date(2026, 5, 11)) == "lundi 11 mai 2026"
    assert format_day_fr(date(2026, 2, 28)) == "samedi 28 février 2026"
    assert format_day_fr(date(2026, 8, 15)) == "samedi 15 août 2026"
    assert format_day_fr(date(2026, 12, 31)) == "jeudi 31 décembre 2026"


def test_the_first_of_the_month_is_written_1er():
    assert format_day_fr(date(2026, 5, 1)) == "vendredi 1er mai 2026"


def test_instants_are_shown_in_paris_time_with_their_offset():
    assert (
        format_instant_fr(datetime(2026, 3, 26, 13, 5, tzinfo=UTC))
        == "jeudi 26 mars 2026 à 14:05 (heure de Paris, UTC+01:00)"
    )
    assert (
        format_instant_fr(datetime(2026, 7, 14, 10, 0, tzinfo=PARIS))
        == "mardi 14 juillet 2026 à 10:00 (heure de Paris, UTC+02:00)"
    )


def test_instants_just_before_midnight_utc_show_the_next_paris_day():
    assert format_instant_fr(datetime(2026, 6, 16, 22, 30, tzinfo=UTC)).startswith(
        "mercredi 17 juin 2026 à 00:30"
    )


def test_format_instant_refuses_a_naive_datetime():
    with pytest.raises(DeadlineError) as caught:
        format_instant_fr(datetime(2026, 3, 26, 14, 5))
    assert caught.value.code == "naive_datetime"


def test_a_step_is_a_frozen_code_and_text():
    step = Step("closes_at", "Le délai expire.")
    assert step.to_dict() == {"code": "closes_at", "text": "Le délai expire."}
    with pytest.raises(AttributeError):
        step.code = "autre"  # type: ignore[misc]
