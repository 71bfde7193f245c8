"""Deadlines in the jurisdiction's calendar: business days, holidays and closures.

A deadline counted in calendar days that lands on a weekend, a public holiday (as observed)
or an extra closure moves to the next business day; one counted in business days skips them.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from ordinances.models import Deadlines, HolidayCalendar


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(calendar.keys())


class BusinessCalendar:
    """When the city's offices are open.

    >>> from ordinances.models import HolidayCalendar
    >>> offices = BusinessCalendar(HolidayCalendar(country="US", subdivision="CA"))
    >>> offices.is_business_day(date(2026, 12, 25))  # Christmas
    False
    >>> offices.add_calendar_days(date(2026, 12, 5), 20)  # lands on Christmas: next business day
    datetime.date(2026, 12, 28)
    """

    def __init__(self, calendar: HolidayCalendar) -> None:
        self.country = calendar.country
        self.subdivision = calendar.subdivision
        self.closures = frozenset(calendar.extra_closures)

    def holiday(self, day: date) -> bool:
        return day in _public_holidays(self.country, self.subdivision, day.year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.holiday(day) and day not in self.closures

    def on_or_after(self, day: date) -> date:
        """`day` if the offices are open then, else the next business day."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def after(self, day: date) -> date:
        """The first business day strictly after `day`."""
        return self.on_or_after(day + timedelta(days=1))

    def add_calendar_days(self, start: date, days: int) -> date:
        return self.on_or_after(start + timedelta(days=days))

    def add_business_days(self, start: date, days: int) -> date:
        day = start
        for _ in range(days):
            day = self.after(day)
        return day

    def deadline(self, start: date, days: int, deadlines: Deadlines) -> date:
        """`days` after `start`, counted as the profile says."""
        if deadlines.counting == "business_days":
            return self.add_business_days(start, days)
        return self.add_calendar_days(start, days)
