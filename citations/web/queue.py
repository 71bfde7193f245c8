"""The contests waiting on the clerks, oldest first, with the deadline each one faces.

- Initial reviews requested and not yet decided: the deadline is the one the request had to
  meet (the contest deadline), with whether it met it or was accepted late.
- Hardship waivers requested with a hearing request: the deadline is the hearing-request
  deadline the request had to meet.
- Deposits due after a refused waiver: the deadline is the day the deposit is due; after it
  the hearing request lapses.
- Hearings ready to schedule (deposit paid or waived).

Above them, the citations flagged for a clerk's attention (a mailed document came back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import reading
from citations.hearings.tables import Contest
from citations.http.deps import EngineDep
from citations.record.tables import Citation
from citations.roles import Action, Actor
from citations.web.auth import ActorDep, ClockDep
from citations.web.guard import web_router
from citations.web.pages import Formats, person, render

router = web_router()


@dataclass(frozen=True)
class Waiting:
    number: str
    name: str
    since: datetime
    """When the request arrived (the queue's order: oldest first)."""
    deadline: date | None
    late_reason: str | None
    days_waiting: int
    interpreter: str | None


def _waiting(
    session: Session, stage: str, since: str, today: date, formats: Formats
) -> list[Waiting]:
    order = getattr(Contest, since)
    contests = session.scalars(
        select(Contest)
        .where(Contest.stage == stage)
        .order_by(order, Contest.id)
        .options(selectinload(Contest.citation))
    ).all()
    rows = []
    for contest in contests:
        arrived: datetime = getattr(contest, since)
        deadline: date | None
        if stage == "review_requested":
            deadline, late = contest.review_deadline, contest.review_late_reason
        elif stage == "deposit_due":
            deadline, late = contest.deposit_due_on, None
        else:
            deadline, late = contest.hearing_deadline, contest.hearing_late_reason
        rows.append(
            Waiting(
                number=contest.citation.number,
                name=person(contest.citation.subject),
                since=arrived,
                deadline=deadline,
                late_reason=late,
                days_waiting=(today - formats.local(arrived).date()).days,
                interpreter=contest.interpreter_language,
            )
        )
    return rows


@dataclass(frozen=True)
class Flagged:
    number: str
    name: str
    attention: str


def flagged(session: Session) -> list[Flagged]:
    """Citations a clerk must look at (a returned letter), oldest citation first."""
    citations = session.scalars(
        select(Citation).where(Citation.attention.is_not(None)).order_by(Citation.id)
    )
    return [Flagged(c.number, person(c.subject), c.attention or "") for c in citations]


def waiting_lists(
    session: Session, actor: Actor, now: datetime, formats: Formats
) -> dict[str, list[Waiting]]:
    actor.require(Action.READ_CITATION)
    today = formats.local(now).date()
    return {
        "reviews": _waiting(session, "review_requested", "review_requested_at", today, formats),
        "waivers": _waiting(session, "waiver_pending", "hearing_requested_at", today, formats),
        "deposits": _waiting(session, "deposit_due", "hearing_requested_at", today, formats),
        "ready": _waiting(session, "ready", "hearing_requested_at", today, formats),
    }


def _attention(session: Session, actor: Actor) -> list[Flagged]:
    actor.require(Action.READ_CITATION)
    return flagged(session)


@router.get("/contests")
def contests(request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
    with reading(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        formats = Formats.of(profile)
        lists: dict[str, Any] = {**waiting_lists(session, actor, now, formats)}
        lists["attention"] = _attention(session, actor)
        return render(
            request, "contests.html", fmt=formats, today=local_date(now, profile), **lists
        )
