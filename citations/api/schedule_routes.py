"""A citation's schedule over HTTP: every date it has, and the next one that binds."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from citations.api.bodies import ExactJsonRoute
from citations.api.routes import PROBLEMS
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.http.deps import ActorDep, SessionDep, clock
from citations.record.lookup import find_citation
from citations.schedule import Dated, schedule_of

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


class DatedPublic(BaseModel):
    key: str
    on: date
    label: str
    open: bool
    at: datetime | None
    detail: str | None

    @classmethod
    def of(cls, dated: Dated) -> DatedPublic:
        return cls(
            key=dated.key,
            on=dated.on,
            label=dated.label,
            open=dated.open,
            at=dated.at,
            detail=dated.detail,
        )


class SchedulePublic(BaseModel):
    number: str
    service_method: str
    served_on: date | None
    """None while the notice waits to be mailed: no deadline has started."""
    next: DatedPublic | None
    """The first date from today on that still binds."""
    dates: list[DatedPublic]


@router.get(
    "/citations/{number}/schedule",
    response_model=SchedulePublic,
    summary="Every date of a citation: deadlines, penalties, hearings, installments",
)
def read_schedule(number: str, actor: ActorDep, session: SessionDep) -> SchedulePublic:
    citation = find_citation(session, number, actor)
    profile = PublishedCatalog(session).jurisdiction()
    schedule = schedule_of(session, citation, profile)
    upcoming = schedule.next_open(local_date(clock(), profile))
    return SchedulePublic(
        number=schedule.number,
        service_method=schedule.service_method,
        served_on=schedule.served_on,
        next=DatedPublic.of(upcoming) if upcoming else None,
        dates=[DatedPublic.of(d) for d in schedule.dates],
    )
