"""The program report over HTTP, for attorneys and administrators (and auditors)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from citations.api.bodies import ExactJsonRoute
from citations.api.limits import FromQuery, ToQuery
from citations.api.routes import PROBLEMS
from citations.errors import FieldError, InputRejected
from citations.http.deps import ActorDep, ReplicaSessionDep, clock
from citations.reports.compute import compute_report
from citations.reports.export import report_csv, report_json
from citations.reports.render import render_report

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


@router.get(
    "/reports/program",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/csv": {}, "application/json": {}}}},
    summary="The program report (PDF, CSV or JSON)",
)
def read_report(
    actor: ActorDep,
    session: ReplicaSessionDep,  # only reads: the replica when there is one
    start: FromQuery,
    end: ToQuery,
    area: Annotated[list[str] | None, Query()] = None,
    format: Annotated[Literal["pdf", "csv", "json"], Query()] = "json",
) -> Response:
    """Violations dated `from` to `to`, optionally limited to areas; the same figures in
    every format."""
    if end < start:
        raise InputRejected([FieldError("to", "is before from")])
    report = compute_report(session, start, end, areas=area or [], actor=actor, now=clock())
    if format == "pdf":
        return Response(render_report(report), media_type="application/pdf")
    if format == "csv":
        return Response(report_csv(report), media_type="text/csv")
    return Response(report_json(report), media_type="application/json")
