from datetime import UTC, date, datetime

from deadlines import calendar_for, days_before, months_after

FR = calendar_for("FR")
MOSELLE = calendar_for("57")


def test_one_month_after_31_january_2026_is_28_february_moved_to_monday_2_march():
    deadline = months_after(date(2026, 1, 31), 1, FR)
    assert deadline.raw_end == date(2026, 2, 28)
    assert deadline.deadline == date(2026, 3, 2)
    assert deadline.steps[1].code == "month_end_clamped"
    assert (
        "le 31 février 2026 n'existe pas → dernier jour du mois, samedi 28 février 2026"
        in deadline.steps[1].text
    )


def test_one_month_after_31_january_2028_is_29_february_in_a_leap_year():
    deadline = months_after(date(2028, 1, 31), 1, FR)
    assert deadline.raw_end == date(2028, 2, 29)
    assert deadline.deadline == date(2028, 2, 29)
    assert "29 février 2028" in deadline.steps[1].text


def test_three_months_after_30_november_is_sunday_28_february_moved_to_monday_1_march():
    deadline = months_after(date(2026, 11, 30), 3, FR)
    assert deadline.raw_end == date(2027, 2, 28)
    assert deadline.deadline == date(2027, 3, 1)
    assert deadline.closes_at == datetime(2027, 3, 1, 23, 0, tzinfo=UTC)
    assert "reporté au lundi 1er mars 2027" in deadline.steps[2].text


def test_one_month_after_31_august_is_30_september():
    deadline = months_after(date(2026, 8, 31), 1, FR)
    assert deadline.raw_end == date(2026, 9, 30)
    assert deadline.deadline == date(2026, 9, 30)
    assert "le 31 septembre 2026 n'existe pas" in deadline.steps[1].text


def test_same_day_number_when_it_exists():
    deadline = months_after(date(2026, 3, 16), 3, FR)
    assert deadline.raw_end == date(2026, 6, 16)
    assert deadline.steps[1].code == "months_counted"
    assert deadline.kind == "months" and deadline.length == 3


def test_twelve_months_cross_the_year_and_land_on_a_holiday():
    # Next audit: 14 July 2025 + 12 months → Tuesday 14 July 2026 (Fête nationale) → 15 July.
    deadline = months_after(date(2025, 7, 14), 12, FR)
    assert deadline.raw_end == date(2026, 7, 14)
    assert deadline.deadline == date(2026, 7, 15)


def test_audit_starting_15_june_2026_needs_notice_by_friday_15_may():
    deadline = days_before(date(2026, 6, 15), 30, FR)
    assert deadline.raw_end == date(2026, 5, 15)
    assert deadline.deadline == date(2026, 5, 15)
    assert deadline.closes_at == datetime(2026, 5, 15, 22, 0, tzinfo=UTC)
    assert deadline.kind == "days_before"
    assert [step.code for step in deadline.steps] == ["days_before_counted", "closes_at"]


def test_audit_notice_falling_on_a_sunday_moves_earlier_to_friday():
    # 16 June 2026 − 31 days = Saturday 16 May; 17 June − 31 = Sunday 17 May → Friday 15 May.
    assert days_before(date(2026, 6, 16), 30, FR).deadline == date(2026, 5, 15)
    deadline = days_before(date(2026, 6, 17), 30, FR)
    assert deadline.raw_end == date(2026, 5, 17)
    assert deadline.deadline == date(2026, 5, 15)
    assert "avancé au vendredi 15 mai 2026" in deadline.steps[1].text


def test_audit_notice_falling_on_8_may_moves_earlier_to_thursday_7_may():
    deadline = days_before(date(2026, 6, 8), 30, FR)
    assert deadline.raw_end == date(2026, 5, 8)
    assert deadline.deadline == date(2026, 5, 7)
    assert deadline.steps[1].code == "moved_to_previous_working_day"
    assert "jour férié (Fête de la Victoire)" in deadline.steps[1].text


def test_audit_notice_falling_on_ascension_moves_earlier_to_wednesday():
    # 14 June 2026 − 31 days = Thursday 14 May (Ascension) → Wednesday 13 May.
    assert days_before(date(2026, 6, 14), 30, FR).deadline == date(2026, 5, 13)


def test_audit_notice_moves_back_over_good_friday_only_in_moselle():
    # 4 May 2026 − 31 days = Friday 3 April 2026 (Good Friday).
    assert days_before(date(2026, 5, 4), 30, FR).deadline == date(2026, 4, 3)
    assert days_before(date(2026, 5, 4), 30, MOSELLE).deadline == date(2026, 4, 2)
