from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines import PARIS, calendar_for, days_after, days_before, hours_after, months_after

CALENDARS = st.sampled_from([calendar_for("FR"), calendar_for("57"), calendar_for("6AE")])
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
PROPERTY = settings(max_examples=300, deadline=None, database=None)


@PROPERTY
@given(event_on=DAYS, days=st.integers(min_value=0, max_value=400), calendar=CALENDARS)
def test_a_forward_day_deadline_is_a_working_day_never_before_its_raw_end(event_on, days, calendar):
    deadline = days_after(event_on, days, calendar)
    assert deadline.raw_end == event_on + timedelta(days=days)
    assert deadline.deadline >= deadline.raw_end
    assert calendar.is_working_day(deadline.deadline)
    assert deadline.closes_at.astimezone(PARIS) == datetime.combine(
        deadline.deadline + timedelta(days=1), datetime.min.time(), tzinfo=PARIS
    )


@PROPERTY
@given(event_on=DAYS, months=st.integers(min_value=0, max_value=36), calendar=CALENDARS)
def test_a_forward_month_deadline_is_a_working_day_never_before_its_raw_end(
    event_on, months, calendar
):
    deadline = months_after(event_on, months, calendar)
    assert deadline.deadline >= deadline.raw_end
    assert calendar.is_working_day(deadline.deadline)
    assert deadline.raw_end.day <= event_on.day
    assert (deadline.raw_end.year * 12 + deadline.raw_end.month) - (
        event_on.year * 12 + event_on.month
    ) == months


@PROPERTY
@given(event_on=DAYS, days=st.integers(min_value=0, max_value=400), calendar=CALENDARS)
def test_days_before_is_a_working_day_never_later_than_event_minus_n_plus_one(
    event_on, days, calendar
):
    deadline = days_before(event_on, days, calendar)
    assert deadline.deadline <= event_on - timedelta(days=days + 1)
    assert calendar.is_working_day(deadline.deadline)


ZONES = st.sampled_from([UTC, PARIS, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")])


@PROPERTY
@given(
    start=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31), timezones=ZONES
    ),
    hours=st.integers(min_value=0, max_value=24 * 400),
)
def test_hours_after_adds_exactly_n_hours_of_elapsed_time(start, hours):
    deadline = hours_after(start, hours)
    assert deadline.deadline - start == timedelta(hours=hours)
    assert deadline.deadline.tzinfo is UTC
    assert deadline.closes_at == deadline.deadline
