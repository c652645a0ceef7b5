from datetime import UTC, datetime

import pytest

from deadlines import DeadlineError, parse_instant


@pytest.mark.parametrize("text", ["25/11/2026 22:00", "25/11/2026 22h00", "25/11/2026 à 22:00"])
def test_french_day_and_time_is_paris_wall_time(text):
    assert parse_instant(text) == datetime(2026, 11, 25, 21, 0, tzinfo=UTC)


def test_french_form_still_refuses_the_spring_gap():
    with pytest.raises(DeadlineError) as err:
        parse_instant("29/03/2026 02:30")
    assert err.value.code == "nonexistent_local_time"


def test_french_date_without_time_asks_for_the_time():
    with pytest.raises(DeadlineError, match="une heure est nécessaire"):
        parse_instant("25/11/2026")
