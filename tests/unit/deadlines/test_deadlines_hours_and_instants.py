from datetime import UTC, date, datetime, timedelta

import pytest

from deadlines import (
    PARIS,
    DeadlineError,
    hours_after,
    local_to_utc,
    parse_instant,
    parse_start,
)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_72_hours_across_spring_dst_end_one_hour_later_on_the_wall_clock():
    deadline = hours_after(paris(2026, 3, 28, 10, 0), 72)
    assert deadline.deadline == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    assert deadline.deadline.astimezone(PARIS) == paris(2026, 3, 31, 11, 0)
    assert deadline.deadline - deadline.start == timedelta(hours=72)


def test_72_hours_across_autumn_dst_end_one_hour_earlier_on_the_wall_clock():
    deadline = hours_after(paris(2026, 10, 24, 10, 0), 72)
    assert deadline.deadline == datetime(2026, 10, 27, 8, 0, tzinfo=UTC)
    assert deadline.deadline.astimezone(PARIS) == paris(2026, 10, 27, 9, 0)


def test_24_hours_across_the_spring_gap_night():
    deadline = hours_after(paris(2026, 3, 28, 23, 0), 24)
    assert deadline.deadline.astimezone(PARIS) == paris(2026, 3, 30, 0, 0)


def test_hours_deadline_closes_exactly_at_its_instant_and_is_stored_in_utc():
    deadline = hours_after(paris(2026, 3, 26, 14, 5), 24)
    assert deadline.start.tzinfo is UTC
    assert deadline.closes_at == deadline.deadline == deadline.raw_end
    assert deadline.calendar_code is None
    assert deadline.kind == "hours" and deadline.length == 24


def test_hours_steps_show_start_and_end_in_paris_time_and_flag_the_dst_change():
    deadline = hours_after(paris(2026, 3, 28, 10, 0), 72)
    codes = [step.code for step in deadline.steps]
    assert codes == ["start_instant", "hours_counted", "dst_change"]
    assert "samedi 28 mars 2026 à 10:00 (heure de Paris, UTC+01:00)" in deadline.steps[0].text
    assert "mardi 31 mars 2026 à 11:00 (heure de Paris, UTC+02:00)" in deadline.steps[1].text


def test_hours_steps_have_no_dst_note_when_the_offset_does_not_change():
    deadline = hours_after(paris(2026, 6, 1, 10, 0), 24)
    assert [step.code for step in deadline.steps] == ["start_instant", "hours_counted"]


def test_hours_after_refuses_a_naive_start():
    with pytest.raises(DeadlineError) as caught:
        hours_after(datetime(2026, 3, 26, 14, 5), 24)
    assert caught.value.code == "naive_datetime"
    assert caught.value.field == "start"


def test_local_time_in_the_spring_gap_is_refused():
    with pytest.raises(DeadlineError) as caught:
        local_to_utc(datetime(2026, 3, 29, 2, 30))
    assert caught.value.code == "nonexistent_local_time"
    assert "02:30 n'existe pas" in str(caught.value)
    assert "heure d'été" in str(caught.value)


def test_local_time_in_the_autumn_fold_is_refused():
    with pytest.raises(DeadlineError) as caught:
        local_to_utc(datetime(2026, 10, 25, 2, 30))
    assert caught.value.code == "ambiguous_local_time"
    assert "ambiguë" in str(caught.value)
    assert "2026-10-25T02:30+02:00" in str(caught.value)


def test_local_times_just_outside_the_gap_and_fold_are_accepted():
    assert local_to_utc(datetime(2026, 3, 29, 1, 59)) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 3, 29, 3, 0)) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 10, 25, 1, 59)) == datetime(2026, 10, 24, 23, 59, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 10, 25, 3, 0)) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_local_to_utc_reads_winter_and_summer_wall_time():
    assert local_to_utc(datetime(2026, 1, 15, 12, 0)) == datetime(2026, 1, 15, 11, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 7, 15, 12, 0)) == datetime(2026, 7, 15, 10, 0, tzinfo=UTC)


def test_parse_instant_refuses_gap_and_fold_without_offset_and_names_the_field():
    for text, code in (
        ("2026-03-29T02:30", "nonexistent_local_time"),
        ("2026-10-25T02:30", "ambiguous_local_time"),
    ):
        with pytest.raises(DeadlineError) as caught:
            parse_instant(text)
        assert caught.value.code == code
        assert caught.value.field == "start"


def test_parse_instant_accepts_gap_and_fold_times_with_an_explicit_offset():
    assert parse_instant("2026-03-29T02:30+01:00") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert parse_instant("2026-10-25T02:30+02:00") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parse_instant("2026-10-25T02:30+01:00") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert parse_instant("2026-10-25T02:30Z") == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_an_instant_past_the_first_or_last_representable_day_in_utc_is_refused_not_a_crash():
    for text in ("0001-01-01T00:00+01:00", "0001-01-01T00:00", "9999-12-31T23:59-05:00"):
        with pytest.raises(DeadlineError) as caught:
            parse_instant(text, field="aware_at")
        assert caught.value.field == "aware_at"


def test_parse_instant_returns_utc():
    assert parse_instant("2026-03-26T14:05").tzinfo is UTC
    assert parse_instant("2026-03-26 14:05") == datetime(2026, 3, 26, 13, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["", "demain", "2026-13-01T10:00", "2026-02-30T10:00", "26/03/2026"]
)
def test_parse_instant_refuses_malformed_text(text):
    with pytest.raises(DeadlineError) as caught:
        parse_instant(text)
    assert caught.value.code == "bad_start"
    assert caught.value.field == "start"


def test_parse_instant_asks_for_a_time_when_given_only_a_date():
    with pytest.raises(DeadlineError) as caught:
        parse_instant("2026-03-26")
    assert caught.value.code == "bad_start"
    assert "une heure est nécessaire" in str(caught.value)


def test_parse_start_returns_a_date_for_a_day_and_an_instant_otherwise():
    assert parse_start("2026-03-26") == date(2026, 3, 26)
    assert type(parse_start("2026-03-26")) is date
    assert parse_start("2026-03-26T14:05+01:00") == datetime(2026, 3, 26, 13, 5, tzinfo=UTC)


def test_parse_start_refuses_an_impossible_date():
    with pytest.raises(DeadlineError) as caught:
        parse_start("2026-02-30")
    assert caught.value.code == "bad_start"
    assert caught.value.field == "start"
    assert "2026-02-30" in str(caught.value)


def test_parse_start_can_name_another_field():
    with pytest.raises(DeadlineError) as caught:
        parse_start("n'importe quoi", field="aware_at")
    assert caught.value.field == "aware_at"
