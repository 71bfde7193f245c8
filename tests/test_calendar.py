"""Deadlines at every calendar edge: weekends, holidays (as observed), closures, year ends."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citations.calendar import BusinessCalendar
from ordinances.models import HolidayCalendar

CALIFORNIA = BusinessCalendar(HolidayCalendar(country="US", subdivision="CA"))
WITH_CLOSURE = BusinessCalendar(
    HolidayCalendar(country="US", subdivision="CA", extra_closures=[date(2026, 12, 28)])
)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 2), 20, date(2026, 11, 23)),  # Sunday the 22nd rolls to Monday
        (date(2026, 11, 6), 20, date(2026, 11, 30)),  # Thanksgiving and the day after (CA)
        (date(2026, 12, 5), 20, date(2026, 12, 28)),  # Christmas (Friday) rolls past the weekend
        (date(2026, 6, 14), 20, date(2026, 7, 6)),  # July 4 is a Saturday: observed Friday July 3
        (date(2026, 12, 12), 20, date(2027, 1, 4)),  # New Year's Day (Friday) across the year end
        (date(2028, 2, 9), 20, date(2028, 2, 29)),  # leap day is a Tuesday
        (date(2026, 3, 11), 20, date(2026, 4, 1)),  # Cesar Chavez Day (March 31) in California
        (date(2026, 3, 11), 19, date(2026, 3, 30)),  # the day before it is open
    ],
)
def test_calendar_day_deadlines_roll_to_the_next_business_day(
    start: date, days: int, due: date
) -> None:
    assert CALIFORNIA.add_calendar_days(start, days) == due


def test_observed_holidays_close_the_offices() -> None:
    assert not CALIFORNIA.is_business_day(date(2026, 7, 3))  # Independence Day, observed
    assert CALIFORNIA.is_business_day(date(2026, 7, 2))
    assert not CALIFORNIA.is_business_day(date(2026, 11, 26))  # Thanksgiving


def test_extra_closures_count_as_closed() -> None:
    assert CALIFORNIA.add_calendar_days(date(2026, 12, 5), 20) == date(2026, 12, 28)
    assert WITH_CLOSURE.add_calendar_days(date(2026, 12, 5), 20) == date(2026, 12, 29)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 12, 21), 5, date(2026, 12, 29)),  # skips Christmas and the weekend
        (date(2026, 11, 25), 1, date(2026, 11, 30)),  # Thanksgiving and the day after
        (date(2026, 1, 2), 0, date(2026, 1, 2)),
    ],
)
def test_business_day_deadlines(start: date, days: int, due: date) -> None:
    assert CALIFORNIA.add_business_days(start, days) == due


@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.integers(0, 60))
def test_a_deadline_is_a_business_day_no_earlier_than_the_plain_count(
    start: date, days: int
) -> None:
    due = CALIFORNIA.add_calendar_days(start, days)
    assert CALIFORNIA.is_business_day(due)
    assert (due - start).days >= days
    assert (
        due - start
    ).days <= days + 5  # no closure in California lasts longer than a long weekend
