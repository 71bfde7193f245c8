"""The jurisdiction's clock: its local dates and times, and its deadlines.

Every "today", every local time printed and every deadline is computed here, in the
jurisdiction's time zone and by its calendar: a deadline counted in calendar days that lands
on a weekend, a public holiday (as observed) or an extra closure moves to the next business
day; one counted in business days skips them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from ordinances.models import Deadlines, HolidayCalendar, Jurisdiction

CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of the server's clock a time sent to us may be and still be taken as now.

Officers' devices, office PCs and payment processors keep their own clocks, which drift a
minute or two from the server's; beyond a few minutes a time in the future is a mistake (a
wrong year, a.m. for p.m., a missing offset), not drift. One allowance for every such time:
an intake message's violation, a request's or a payment's arrival.
"""


def zone_named(name: str) -> ZoneInfo:
    """The jurisdiction's time zone; an unknown name is a plain `ValueError` naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def zone_of(profile: Jurisdiction) -> ZoneInfo:
    """The time zone the jurisdiction's staff read clocks in."""
    return ZoneInfo(profile.time_zone)


def local_date(moment: datetime, profile: Jurisdiction) -> date:
    """The calendar date it is in the jurisdiction at `moment` (which must be timezone-aware).

    >>> from ordinances.catalog import DEMO_CATALOG, load_catalog
    >>> from zoneinfo import ZoneInfo
    >>> profile = load_catalog(DEMO_CATALOG).jurisdiction
    >>> local_date(datetime(2026, 12, 1, 7, 30, tzinfo=ZoneInfo("UTC")), profile)  # 23:30 in LA
    datetime.date(2026, 11, 30)
    """
    return local_time(moment, profile).date()


def local_time(moment: datetime, profile: Jurisdiction) -> datetime:
    """`moment` on the jurisdiction's clocks (which must be timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("`moment` must be timezone-aware")
    return moment.astimezone(zone_of(profile))


def local_at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The aware moment of a local date and time (the time's own zone, if any, is ignored)."""
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone)


def in_zone(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored moment in the jurisdiction's zone; a naive one is taken as already local."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


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


def deadline(start: date, days: int, profile: Jurisdiction) -> date:
    """`days` after `start`, counted as the jurisdiction's profile counts deadlines."""
    return BusinessCalendar(profile.holiday_calendar).deadline(start, days, profile.deadlines)


def pay_deadline(start: date, profile: Jurisdiction) -> date:
    """`days_to_pay` after `start`, counted as the profile counts deadlines."""
    return deadline(start, profile.deadlines.days_to_pay, profile)


def deadline_dates(served: date, profile: Jurisdiction) -> tuple[date, date]:
    """(pay by, contest by) for a notice served on `served`."""
    return (
        pay_deadline(served, profile),
        deadline(served, profile.deadlines.days_to_request_review, profile),
    )


# The dates a citation's rules act on. Each is "the first day it happens", the same day daily
# processing acts and the day every document prints; processing selects with the cutoffs,
# which are these definitions turned around (tests/test_schedule_rules.py proves the pairs).


def mail_served_on(mailed_on: date, profile: Jurisdiction) -> date:
    """The day a notice mailed on `mailed_on` counts as served: its deadlines count from it."""
    return mailed_on + timedelta(days=profile.service.days_added_for_mail)


def late_penalty_on(due_on: date, profile: Jurisdiction) -> date:
    """The first day the late penalty is added to what is unpaid on `due_on`: once
    `late_penalty.after_days` whole days have passed after the due date."""
    return due_on + timedelta(days=profile.late_penalty.after_days + 1)


def late_penalty_cutoff(as_of: date, profile: Jurisdiction) -> date:
    """Processing on `as_of` adds the penalty to what was due before this day."""
    return as_of - timedelta(days=profile.late_penalty.after_days)


def collections_on(due_on: date, profile: Jurisdiction) -> date:
    """The first day what is unpaid on `due_on` is referred to collections."""
    return due_on + timedelta(days=profile.collection_fee.after_days + 1)


def collections_cutoff(as_of: date, profile: Jurisdiction) -> date:
    """Processing on `as_of` refers what was due before this day."""
    return as_of - timedelta(days=profile.collection_fee.after_days)
