"""The calendar of docket sessions by month (`/clerk/calendar/2026-12`): each day with its
sessions (time, place, hearing officer, booked of capacity), the months before and after,
and today marked; and `next_session_day`, the day's docket's pointer when a day has none.

Weeks start on the jurisdiction locale's first day of the week (Sunday in the United
States), as a paper calendar on the clerk's wall does.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel import Locale
from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import reading
from citations.errors import NotFound
from citations.hearings.officers import list_sessions
from citations.hearings.tables import DocketSession
from citations.http.deps import EngineDep
from citations.inputs import FIRST_DAY, LAST_DAY
from citations.roles import Action
from citations.web.auth import ActorDep, ClockDep
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, render

router = web_router()


@dataclass(frozen=True)
class SessionCell:
    id: int
    start: time
    place: str
    officer: str
    booked: int
    capacity: int


@dataclass(frozen=True)
class DayCell:
    day: date
    in_month: bool
    sessions: list[SessionCell]


def month_of(text: str) -> date:
    """The first day of the month named YYYY-MM, within the days the pages know.

    >>> month_of("2026-12")
    datetime.date(2026, 12, 1)
    """
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise NotFound("month", text) from None
    if not FIRST_DAY.replace(day=1) <= first <= LAST_DAY:
        raise NotFound("month", text)
    return first


def shift(first: date, months: int) -> date:
    """The first day of the month `months` after (or before) `first`.

    >>> shift(date(2026, 12, 1), 1), shift(date(2026, 1, 1), -1)
    (datetime.date(2027, 1, 1), datetime.date(2025, 12, 1))
    """
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def weeks(session: Session, first: date, locale: str) -> list[list[DayCell]]:
    """The month's weeks, each of seven days (the days of the months around it included, so
    every row is whole), with every session of each day of the month."""
    start_weekday = Locale.parse(locale).first_week_day  # 0 = Monday, as `calendar` counts
    grid = calendar.Calendar(firstweekday=start_weekday).monthdatescalendar(first.year, first.month)
    by_day: dict[date, list[SessionCell]] = {}
    for s in list_sessions(session, first, shift(first, 1) - timedelta(days=1)):
        by_day.setdefault(s.day, []).append(
            SessionCell(
                id=s.id,
                start=s.start_time,
                place=s.place or s.remote_link or "",
                officer=s.officer.name,
                booked=s.booked,
                capacity=s.capacity,
            )
        )
    return [
        [DayCell(day, day.month == first.month, by_day.get(day, [])) for day in week]
        for week in grid
    ]


def weekday_names(locale: str) -> list[str]:
    """The days' names in the calendar's column order, in the locale's words."""
    parsed = Locale.parse(locale)
    names = parsed.days["format"]["wide"]
    return [names[(parsed.first_week_day + i) % 7] for i in range(7)]


def next_session_day(session: Session, after: date) -> date | None:
    """The first day after `after` that has a docket session, if any."""
    return session.scalar(
        select(DocketSession.day).where(DocketSession.day > after).order_by(DocketSession.day)
    )


def _show(request: Request, first: date, actor_now: datetime, session: Session) -> Response:
    profile = PublishedCatalog(session).jurisdiction()
    fmt = Formats.of(profile)
    grid = weeks(session, first, profile.locale)
    count = sum(len(cell.sessions) for week in grid for cell in week)
    previous, following = shift(first, -1), shift(first, 1)
    return render(
        request,
        "docket_calendar.html",
        fmt=fmt,
        first=first,
        month_name=Locale.parse(profile.locale).months["stand-alone"]["wide"][first.month],
        weeks=grid,
        weekdays=weekday_names(profile.locale),
        today=local_date(actor_now, profile),
        count=count,
        previous=previous if previous >= FIRST_DAY.replace(day=1) else None,
        following=following if following <= LAST_DAY else None,
    )


@router.get("/calendar")
def this_month(actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
    """The calendar opens at the current month, in the jurisdiction's time zone."""
    actor.require(Action.MANAGE_DOCKET)
    with reading(engine) as session:
        today = local_date(now, PublishedCatalog(session).jurisdiction())
    return RedirectResponse(f"{PREFIX}/calendar/{today.strftime('%Y-%m')}", status_code=303)


@router.get("/calendar/{month}")
def month_page(
    month: str, request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    actor.require(Action.MANAGE_DOCKET)
    first = month_of(month)
    with reading(engine) as session:
        return _show(request, first, now, session)
