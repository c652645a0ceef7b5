from datetime import UTC, date, datetime, timedelta

import pytest

from deadlines import PARIS, DeadlineError, calendar_for, days_after, days_before, extend_days

FR = calendar_for("FR")
MOSELLE = calendar_for("57")
ALSACE = calendar_for("67")


def test_the_event_day_does_not_count():
    deadline = days_after(date(2026, 3, 2), 7, FR)
    assert deadline.raw_end == date(2026, 3, 9)
    assert deadline.deadline == date(2026, 3, 9)
    assert deadline.start == date(2026, 3, 2)


def test_a_period_ending_on_saturday_moves_to_monday():
    deadline = days_after(date(2026, 3, 7), 7, FR)
    assert deadline.raw_end == date(2026, 3, 14)
    assert deadline.deadline == date(2026, 3, 16)
    moved = [step for step in deadline.steps if step.code == "moved_to_next_working_day"]
    assert moved[0].text == (
        "Le samedi 14 mars 2026 est un samedi → reporté au lundi 16 mars 2026 (CPC art. 642)."
    )


def test_a_period_ending_on_sunday_moves_to_monday():
    assert days_after(date(2026, 3, 8), 7, FR).deadline == date(2026, 3, 16)


def test_objection_window_ending_on_8_may_2026_moves_from_friday_to_monday_11_may():
    deadline = days_after(date(2026, 5, 1), 7, FR)
    assert deadline.raw_end == date(2026, 5, 8)
    assert deadline.deadline == date(2026, 5, 11)
    texts = [step.text for step in deadline.steps]
    assert (
        "Le vendredi 8 mai 2026 est un jour férié (Fête de la Victoire) → reporté au "
        "lundi 11 mai 2026 (CPC art. 642)."
    ) in texts


@pytest.mark.parametrize(
    ("holiday", "next_working_day"),
    [
        (date(2026, 1, 1), date(2026, 1, 2)),  # Jour de l'an, Thursday
        (date(2026, 4, 6), date(2026, 4, 7)),  # Easter Monday
        (date(2026, 5, 1), date(2026, 5, 4)),  # Friday 1 May
        (date(2026, 5, 14), date(2026, 5, 15)),  # Ascension, Thursday
        (date(2026, 5, 25), date(2026, 5, 26)),  # Whit Monday
        (date(2026, 7, 14), date(2026, 7, 15)),  # Tuesday
        (date(2026, 8, 15), date(2026, 8, 17)),  # Saturday and holiday
        (date(2026, 11, 1), date(2026, 11, 2)),  # Sunday and holiday
        (date(2026, 11, 11), date(2026, 11, 12)),  # Wednesday
        (date(2026, 12, 25), date(2026, 12, 28)),  # Friday
        (date(2027, 1, 1), date(2027, 1, 4)),  # Friday
    ],
)
def test_a_period_ending_on_a_public_holiday_moves_to_the_next_working_day(
    holiday, next_working_day
):
    deadline = days_after(holiday - timedelta(days=10), 10, FR)
    assert deadline.raw_end == holiday
    assert deadline.deadline == next_working_day
    assert any("jour férié" in step.text for step in deadline.steps)


def test_objection_window_moves_past_easter_weekend_with_one_clear_step():
    deadline = days_after(date(2026, 3, 28), 7, FR)
    assert deadline.raw_end == date(2026, 4, 4)
    assert deadline.deadline == date(2026, 4, 7)
    moved = [step for step in deadline.steps if step.code == "moved_to_next_working_day"]
    assert len(moved) == 1
    assert "samedi 4 avril 2026 est un samedi" in moved[0].text
    assert "lundi 6 avril 2026 est un jour férié (Lundi de Pâques)" in moved[0].text
    assert "reporté au mardi 7 avril 2026" in moved[0].text


def test_good_friday_moves_the_deadline_in_moselle_and_alsace_but_not_in_metropolitan_france():
    assert days_after(date(2026, 3, 27), 7, FR).deadline == date(2026, 4, 3)
    assert days_after(date(2026, 3, 27), 7, MOSELLE).deadline == date(2026, 4, 7)
    assert days_after(date(2026, 3, 27), 7, ALSACE).deadline == date(2026, 4, 7)


def test_26_december_moves_the_deadline_in_moselle_and_alsace_but_not_in_metropolitan_france():
    # 26 December 2025 is a Friday.
    assert days_after(date(2025, 12, 19), 7, FR).deadline == date(2025, 12, 26)
    assert days_after(date(2025, 12, 19), 7, MOSELLE).deadline == date(2025, 12, 29)
    assert days_after(date(2025, 12, 19), 7, ALSACE).deadline == date(2025, 12, 29)


def test_christmas_thursday_then_saint_etienne_friday_moves_to_monday_in_alsace():
    deadline = days_after(date(2025, 12, 15), 10, ALSACE)
    assert deadline.raw_end == date(2025, 12, 25)
    assert deadline.deadline == date(2025, 12, 29)
    moved = [step for step in deadline.steps if step.code == "moved_to_next_working_day"][0]
    assert "Noël" in moved.text and "Saint-Étienne" in moved.text
    assert deadline.calendar_code == "6AE"


def test_closes_at_is_midnight_paris_in_utc_2200_in_summer_and_2300_in_winter():
    summer = days_after(date(2026, 6, 1), 15, FR)
    assert summer.deadline == date(2026, 6, 16)
    assert summer.closes_at == datetime(2026, 6, 16, 22, 0, tzinfo=UTC)
    winter = days_after(date(2026, 1, 5), 15, FR)
    assert winter.deadline == date(2026, 1, 20)
    assert winter.closes_at == datetime(2026, 1, 20, 23, 0, tzinfo=UTC)


def test_closes_at_follows_summer_time_when_the_move_crosses_the_spring_change():
    # Saturday 28 March 2026 (winter time) → Monday 30 March (summer time since Sunday).
    deadline = days_after(date(2026, 3, 27), 1, FR)
    assert deadline.deadline == date(2026, 3, 30)
    assert deadline.closes_at == datetime(2026, 3, 30, 22, 0, tzinfo=UTC)


def test_is_closed_one_minute_before_and_after_midnight_paris():
    deadline = days_after(date(2026, 6, 1), 15, FR)
    assert not deadline.is_closed(datetime(2026, 6, 16, 23, 59, tzinfo=PARIS))
    assert deadline.is_closed(datetime(2026, 6, 17, 0, 1, tzinfo=PARIS))
    assert deadline.is_closed(datetime(2026, 6, 16, 22, 0, tzinfo=UTC))
    assert deadline.time_left(datetime(2026, 6, 16, 23, 59, tzinfo=PARIS)) == timedelta(minutes=1)
    assert deadline.time_left(datetime(2026, 6, 17, 0, 1, tzinfo=PARIS)) == timedelta(minutes=-1)


def test_is_closed_refuses_a_naive_now():
    deadline = days_after(date(2026, 6, 1), 15, FR)
    with pytest.raises(DeadlineError) as caught:
        deadline.is_closed(datetime(2026, 6, 16, 23, 59))
    assert caught.value.code == "naive_datetime"
    assert caught.value.field == "now"


def test_extension_runs_from_the_unmoved_end_of_the_initial_period():
    # 15 days from 23 April 2026 → Friday 8 May (holiday, → Monday 11 May unextended);
    # +8 from the unmoved 8 May → Saturday 16 May → Monday 18 May.
    base = days_after(date(2026, 4, 23), 15, FR)
    assert base.deadline == date(2026, 5, 11)
    extended = extend_days(base, 8, FR)
    assert extended.raw_end == date(2026, 5, 16)
    assert extended.deadline == date(2026, 5, 18)
    assert extended.kind == "days"
    assert extended.start == date(2026, 4, 23)
    codes = [step.code for step in extended.steps]
    assert codes == [
        "event_day_excluded",
        "days_counted",
        "extension_counted",
        "moved_to_next_working_day",
        "closes_at",
    ]


def test_assistance_received_friday_18_december_2026_extended_to_monday_11_january_2027():
    # 15 days → Saturday 2 January 2027 → due Monday 4 January; extended: 2 Jan + 8 = Sunday
    # 10 January → Monday 11 January 2027 (never 12 January: the move applies once).
    base = days_after(date(2026, 12, 18), 15, FR)
    assert (base.raw_end, base.deadline) == (date(2027, 1, 2), date(2027, 1, 4))
    extended = extend_days(base, 8, FR)
    assert (extended.raw_end, extended.deadline) == (date(2027, 1, 10), date(2027, 1, 11))
    assert extended.closes_at == datetime(2027, 1, 11, 23, 0, tzinfo=UTC)


def test_an_extension_from_a_moselle_saint_stephen_end_is_moved_once():
    # Moselle: 15 days from 11 December 2026 → Saturday 26 December (also a holiday there);
    # +8 from the unmoved 26 December → Sunday 3 January 2027 → Monday 4 January.
    moselle = calendar_for("57")
    extended = extend_days(days_after(date(2026, 12, 11), 15, moselle), 8, moselle)
    assert extended.raw_end == date(2027, 1, 3)
    assert extended.deadline == date(2027, 1, 4)


def test_an_extension_ending_on_a_holiday_is_moved_again():
    # 15 days from 5 May 2026 → Wednesday 20 May; +5 → Monday 25 May (Whit Monday) → 26 May.
    extended = extend_days(days_after(date(2026, 5, 5), 15, FR), 5, FR)
    assert extended.raw_end == date(2026, 5, 25)
    assert extended.deadline == date(2026, 5, 26)
    assert extended.closes_at == datetime(2026, 5, 26, 22, 0, tzinfo=UTC)


def test_only_a_forward_day_period_can_be_extended():
    base = days_after(date(2026, 5, 5), 15, FR)
    with pytest.raises(DeadlineError) as caught:
        extend_days(days_before(date(2026, 6, 15), 30, FR), 8, FR)
    assert caught.value.code == "bad_extension"
    with pytest.raises(DeadlineError) as caught:
        extend_days(base, -1, FR)
    assert caught.value.code == "bad_length"


def test_days_after_refuses_a_negative_length_and_a_datetime_event():
    with pytest.raises(DeadlineError) as caught:
        days_after(date(2026, 5, 5), -1, FR)
    assert caught.value.code == "bad_length"
    with pytest.raises(DeadlineError) as caught:
        days_after(datetime(2026, 5, 5, 10, 0, tzinfo=UTC), 7, FR)
    assert caught.value.code == "bad_start"


def test_to_dict_gives_iso_strings_and_steps():
    data = days_after(date(2026, 5, 1), 7, FR).to_dict()
    assert data["kind"] == "days"
    assert data["length"] == 7
    assert data["start"] == "2026-05-01"
    assert data["raw_end"] == "2026-05-08"
    assert data["deadline"] == "2026-05-11"
    assert data["closes_at"] == "2026-05-12T00:00:00+02:00"
    assert data["calendar_code"] == "FR"
    assert data["steps"][0] == {
        "code": "event_day_excluded",
        "text": "Le jour de l'événement, vendredi 1er mai 2026, ne compte pas "
        "(CPC art. 641 ; règlement 1182/71 art. 3).",
    }
