"""The job queue over the API, for administrators: the newest jobs, with their state
(citations.jobs.listing, which checks the role). On SQLite there is no queue: the answer is
a problem saying so."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from citations.api.bodies import ExactJsonRoute
from citations.api.routes import PROBLEMS
from citations.http.deps import ActorDep, SessionDep
from citations.jobs.listing import JobPublic, list_jobs

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)

JobStatus = Literal["todo", "doing", "succeeded", "failed", "cancelled", "aborted"]


@router.get(
    "/jobs",
    response_model=list[JobPublic],
    summary="The newest jobs of the queue: kind, status, runs, times (administrators)",
)
def get_jobs(
    actor: ActorDep,
    session: SessionDep,
    status: Annotated[JobStatus | None, Query()] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[JobPublic]:
    return list_jobs(session, actor=actor, status=status, name=name, limit=limit)
