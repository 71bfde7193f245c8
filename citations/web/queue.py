"""The contests waiting on the clerks, oldest first, with the deadline each one faces.

- Initial reviews requested and not yet decided: the deadline is the one the request had to
  meet (the contest deadline), with whether it met it or was accepted late.
- Hardship waivers requested with a hearing request: the deadline is the hearing-request
  deadline the request had to meet.
- Deposits due after a refused waiver: the deadline is the day the deposit is due; after it
  the hearing request lapses.
- Hearings ready to schedule (deposit paid or waived).
- Requests to set a default aside that people sent online.

Each row marks what the person sent online (the request itself, how many files, the hearing
mode and accommodation they asked for).

Above them, the citations flagged for a clerk's attention (a mailed document came back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from citations.audit import AuditEvent
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import reading
from citations.hearings.tables import Contest
from citations.http.deps import EngineDep
from citations.online.requests import RequestKind
from citations.record.person import PersonFile, PersonRequest
from citations.record.tables import Citation
from citations.roles import CITED_PERSON_ONLINE, Action, Actor
from citations.web.auth import ActorDep, ClockDep
from citations.web.guard import web_router
from citations.web.pages import Formats, person, render

router = web_router()
ONLINE = CITED_PERSON_ONLINE


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
    online: bool = False
    """The person took this step themselves, on the public pages."""
    files: int = 0
    hearing_mode: str | None = None
    accommodation: str | None = None


STEP_EVENT = {
    "review_requested": "contest.review_requested",
    "waiver_pending": "contest.hearing_requested",
    "deposit_due": "contest.hearing_requested",
    "ready": "contest.hearing_requested",
}


def _sent_online(session: Session, numbers: list[str], action: str) -> set[str]:
    """The citations among `numbers` whose `action` the person took online."""
    if not numbers:
        return set()
    return set(
        session.scalars(
            select(AuditEvent.entity_key).where(
                AuditEvent.entity_type == "citation",
                AuditEvent.entity_key.in_(numbers),
                AuditEvent.action == action,
                AuditEvent.actor == ONLINE,
            )
        )
    )


def _file_counts(session: Session, citation_ids: list[int]) -> dict[int, int]:
    if not citation_ids:
        return {}
    rows = session.execute(
        select(PersonFile.citation_id, func.count())
        .where(PersonFile.citation_id.in_(citation_ids))
        .group_by(PersonFile.citation_id)
    )
    return {int(citation_id): int(count) for citation_id, count in rows}


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
    online = _sent_online(session, [c.citation.number for c in contests], STEP_EVENT[stage])
    files = _file_counts(session, [c.citation_id for c in contests])
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
                online=contest.citation.number in online,
                files=files.get(contest.citation_id, 0),
                hearing_mode=contest.hearing_mode if contest.hearing_requested_at else None,
                accommodation=contest.accommodation,
            )
        )
    return rows


@dataclass(frozen=True)
class SetAsideWaiting:
    number: str
    name: str
    since: datetime
    deadline: date | None
    files: int


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def set_asides_waiting(session: Session, actor: Actor) -> list[SetAsideWaiting]:
    """Requests to set a default aside sent online and not yet answered, oldest first."""
    actor.require(Action.READ_CITATION)
    requests = session.scalars(
        select(PersonRequest)
        .where(PersonRequest.kind == RequestKind.SET_ASIDE.value, PersonRequest.status == "waiting")
        .order_by(PersonRequest.received_at, PersonRequest.id)
        .options(selectinload(PersonRequest.citation))
    ).all()
    files = _file_counts(session, [r.citation_id for r in requests])
    return [
        SetAsideWaiting(
            number=r.citation.number,
            name=person(r.citation.subject),
            since=r.received_at,
            deadline=_day((r.details or {}).get("deadline")),
            files=files.get(r.citation_id, 0),
        )
        for r in requests
    ]


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
        lists["set_asides"] = set_asides_waiting(session, actor)
        return render(
            request, "contests.html", fmt=formats, today=local_date(now, profile), **lists
        )
