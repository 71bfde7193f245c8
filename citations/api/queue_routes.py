"""The work queues over the API: who a contest waiting on the clerks is assigned to, and the
lists of them (citations.hearings.assign). An integration (a case-management system) shares
out the work as a clerk does on the contests page; the library checks the role (clerks and
administrators assign) and that the assignee may take the contest's next step."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from citations.api.bodies import ExactJsonRoute
from citations.api.routes import PROBLEMS, Body
from citations.hearings.assign import (
    Assignment,
    QueueFilters,
    Tier,
    Whose,
    assign_contest,
    assignment_of,
    work_queue,
)
from citations.http.deps import ActorDep, SessionDep, clock

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


class AssigneeChange(Body):
    assignee: Annotated[str, Field(min_length=1, max_length=64)] | None
    """The staff account's username; null puts the contest back in the shared queue."""


class AssignmentPublic(BaseModel):
    citation_number: str
    assignee: str | None
    assignee_name: str | None
    assigned_at: datetime | None

    @classmethod
    def of(cls, found: Assignment) -> AssignmentPublic:
        return cls(
            citation_number=found.number,
            assignee=found.assignee,
            assignee_name=found.name,
            assigned_at=found.since,
        )


class QueueItemPublic(BaseModel):
    citation_number: str
    person: str
    tier: str
    deadline: date | None
    days_left: int | None
    arrived: datetime
    assignee: str | None


@router.put(
    "/contests/{number}/assignee",
    response_model=AssignmentPublic,
    summary="Assign a waiting contest to a staff member (or unassign it)",
)
def put_assignee(
    number: str, body: AssigneeChange, actor: ActorDep, session: SessionDep
) -> AssignmentPublic:
    """Refused (422, `/problems/input-rejected`, field `assignee`) for an unknown or disabled
    account, or one whose role may not take the contest's next step."""
    assign_contest(session, number, body.assignee, actor=actor, now=clock())
    return AssignmentPublic.of(assignment_of(session, number, actor))


@router.get(
    "/contests/queue",
    response_model=list[QueueItemPublic],
    summary="The contests waiting on the clerks, the nearest deadline first",
)
def get_queue(
    actor: ActorDep,
    session: SessionDep,
    tier: Tier | None = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    due_within: Annotated[int | None, Query(ge=0, le=3660)] = None,
    overdue: bool = False,
) -> list[QueueItemPublic]:
    """`assignee`: a username, or `unassigned` for the shared queue."""
    whose: Literal[Whose.ANYONE, Whose.UNASSIGNED, Whose.USER] = Whose.ANYONE
    if assignee is not None:
        whose = Whose.UNASSIGNED if assignee.lower() == "unassigned" else Whose.USER
    filters = QueueFilters(
        tier=tier,
        overdue=overdue,
        due_within=due_within,
        whose=whose,
        username=assignee if whose is Whose.USER else None,
    )
    return [
        QueueItemPublic(
            citation_number=i.number,
            person=i.name,
            tier=i.tier.value,
            deadline=i.deadline,
            days_left=i.days_left,
            arrived=i.arrived,
            assignee=i.assignee,
        )
        for i in work_queue(session, filters, actor, clock())
    ]
