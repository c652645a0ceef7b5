from datetime import date, timedelta

import pytest

from deadlines import Calendar, DeadlineError, calendar_for


def test_metropolitan_calendar_and_departements_map_to_fr():
    for code in ("FR", "fr", "75", "2A", "2b", "13", "01", "95", "971", " 75 "):
        assert calendar_for(code) == Calendar(code="FR", label="France métropolitaine")


def test_moselle_and_alsace_have_their_own_calendars():
    assert calendar_for("57") == Calendar(code="57", label="Moselle (57)")
    assert calendar_for("67") == Calendar(code="6AE", label="Alsace (67, 68)")
    assert calendar_for("68").code == "6AE"
    assert calendar_for("6AE").code == "6AE"


@pytest.mark.parametrize("code", ["", "XX", "20", "00", "96", "975", "977", "100", "Alsace", "7"])
def test_unknown_calendar_codes_are_refused(code):
    with pytest.raises(DeadlineError) as caught:
        calendar_for(code)
    assert caught.value.code == "unknown_calendar"
    assert caught.value.field == "calendar"
    assert "Calendrier inconnu" in str(caught.value)


def test_good_friday_and_26_december_are_holidays_only_in_alsace_moselle():
    for code in ("57", "67", "68"):
        calendar = calendar_for(code)
        assert calendar.holiday_name(date(2026, 4, 3)) == "Vendredi saint"
        assert calendar.holiday_name(date(2026, 12, 26)) == "Saint-Étienne"
    metropolitan = calendar_for("FR")
    assert metropolitan.holiday_name(date(2026, 4, 3)) is None
    assert metropolitan.holiday_name(date(2026, 12, 26)) is None
    assert metropolitan.is_working_day(date(2026, 4, 3))
    assert not calendar_for("57").is_working_day(date(2026, 4, 3))


def test_alsace_moselle_add_exactly_two_days_to_the_metropolitan_calendar():
    metropolitan = calendar_for("FR")
    for code in ("57", "6AE"):
        calendar = calendar_for(code)
        extra = [
            day
            for day in (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
            if calendar.holiday_name(day) and not metropolitan.holiday_name(day)
        ]
        assert extra == [date(2026, 4, 3), date(2026, 12, 26)]


def test_holiday_names_are_french():
    calendar = calendar_for("FR")
    assert calendar.holiday_name(date(2026, 5, 8)) == "Fête de la Victoire"
    assert calendar.holiday_name(date(2026, 4, 6)) == "Lundi de Pâques"
    assert calendar.holiday_name(date(2026, 5, 25)) == "Lundi de Pentecôte"
    assert calendar.holiday_name(date(2026, 5, 11)) is None


def test_two_holidays_on_the_same_day_are_both_named():
    # 1 May 2008 was both Ascension and the Fête du Travail.
    assert calendar_for("FR").holiday_name(date(2008, 5, 1)) == "Ascension et Fête du Travail"


def test_working_days_exclude_weekends_and_holidays():
    calendar = calendar_for("FR")
    assert calendar.is_working_day(date(2026, 5, 11))
    assert not calendar.is_working_day(date(2026, 5, 9))
    assert not calendar.is_working_day(date(2026, 5, 10))
    assert not calendar.is_working_day(date(2026, 5, 8))


def test_next_and_previous_working_day_are_strictly_after_and_before():
    calendar = calendar_for("FR")
    assert calendar.next_working_day(date(2026, 5, 7)) == date(2026, 5, 11)
    assert calendar.next_working_day(date(2026, 5, 11)) == date(2026, 5, 12)
    assert calendar.previous_working_day(date(2026, 5, 11)) == date(2026, 5, 7)
    assert calendar.previous_working_day(date(2026, 4, 7)) == date(2026, 4, 3)
    assert calendar_for("57").previous_working_day(date(2026, 4, 7)) == date(2026, 4, 2)
