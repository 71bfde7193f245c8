"""The docket pages: a day's sessions with their hearings, interpreter needs and places
left; a print view of the day; each session's docket sheet as PDF.

Each session's hearings come from `docket_sheet_for`, the builder of the printed docket
sheet, so the page and the paper always list the same hearings in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import Path, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import reading
from citations.errors import FieldError, InputRejected
from citations.hearings.build import docket_sheet_for
from citations.hearings.documents import DocketSheetContext
from citations.hearings.officers import list_sessions
from citations.hearings.render import render_docket_sheet
from citations.http.deps import EngineDep
from citations.http.responses import pdf_response
from citations.inputs import FIRST_DAY, LAST_DAY, MAX_WHOLE
from citations.roles import PERMISSIONS, Action, Actor
from citations.web.auth import ActorDep, ClockDep
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, render
from citations.web.sessions_calendar import next_session_day

router = web_router()


@dataclass(frozen=True)
class SessionView:
    id: int
    sheet: DocketSheetContext
    booked: int
    left: int
    """Places left: capacity less the hearings booked (postponed ones free their place)."""


def day_sessions(session: Session, day: date, actor: Actor, now: datetime) -> list[SessionView]:
    actor.require(Action.MANAGE_DOCKET)
    return [
        SessionView(
            id=docket.id,
            sheet=docket_sheet_for(session, docket.id, actor, now=now),
            booked=docket.booked,
            left=docket.capacity - docket.booked,
        )
        for docket in list_sessions(session, day, day)
    ]


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputRejected(
            [FieldError("day", f"{text!r} is not a date (YYYY-MM-DD)")], "no such day"
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:  # the page links the day before and after
        raise InputRejected(
            [FieldError("day", f"choose a day from {FIRST_DAY.year} to {LAST_DAY.year}")],
            "no such day",
        )
    return day


def _docket(
    request: Request,
    day: date | None,
    actor: Actor,
    engine: EngineDep,
    now: datetime,
    template: str = "docket.html",
    error: str | None = None,
    typed: str = "",
) -> Response:
    with reading(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        today = local_date(now, profile)
        shown = day or today
        sessions = day_sessions(session, shown, actor, now)
        return render(
            request,
            template,
            422 if error else 200,
            fmt=Formats.of(profile),
            jurisdiction=profile.name,
            day=shown,
            today=today,
            previous=shown - timedelta(days=1),
            following=shown + timedelta(days=1),
            sessions=sessions,
            hearings=sum(
                len([e for e in s.sheet.entries if e.status != "postponed"]) for s in sessions
            ),
            interpreters=_interpreters(sessions),
            printed_at=now,
            error=error,
            typed=typed or shown.isoformat(),
            next_day=None if sessions else next_session_day(session, shown),
        )


def _interpreters(sessions: list[SessionView]) -> dict[str, int]:
    """Interpreters needed over the whole day, by language, most needed first."""
    total: dict[str, int] = {}
    for view in sessions:
        for language, count in view.sheet.interpreters_needed.items():
            total[language] = total.get(language, 0) + count
    return dict(sorted(total.items(), key=lambda item: (-item[1], item[0])))


@router.get("/")
def home(request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
    """Today's docket; a role that does not keep the docket starts at the contests instead."""
    if actor.role not in PERMISSIONS[Action.MANAGE_DOCKET]:
        return RedirectResponse(f"{PREFIX}/contests", status_code=303)
    return _docket(request, None, actor, engine, now)


@router.get("/docket")
def pick_day(
    request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep, day: str = ""
) -> Response:
    """The date picker's target: go to that day's docket, or say what is wrong with it."""
    try:
        chosen = _day(day.strip())
    except InputRejected as exc:
        message = exc.errors[0].message
        return _docket(request, None, actor, engine, now, error=message, typed=day)
    return RedirectResponse(f"{PREFIX}/docket/{chosen.isoformat()}", status_code=303)


@router.get("/docket/{day}")
def docket_day(
    day: str, request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    return _docket(request, _day(day), actor, engine, now)


@router.get("/docket/{day}/print")
def docket_print(
    day: str, request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    return _docket(request, _day(day), actor, engine, now, template="docket_print.html")


SessionId = Annotated[int, Path(ge=1, le=MAX_WHOLE)]
"""A larger id names no row (and would fail in the database): the page's "not found"."""


@router.get("/sessions/{session_id}/docket.pdf")
def docket_pdf(
    session_id: SessionId, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    with reading(engine) as session:
        context = docket_sheet_for(session, session_id, actor, now=now)
    return pdf_response(render_docket_sheet(context), f"docket-{session_id}.pdf")
