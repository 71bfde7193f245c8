"""The v1 endpoints. Each one checks who asks, calls one library function and shapes the
answer; the rules live in the library."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from citations.api.bodies import ExactJsonRoute
from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.http.deps import ActorDep, IntakeWriterDep, SessionDep, clock
from citations.http.responses import pdf_response
from citations.inputs import Day, InputModel
from citations.issuing.amend import Amendment
from citations.issuing.decision import Outcome
from citations.issuing.intake import IntakeMessage, intake_schema
from citations.issuing.pipeline import IntakeResult
from citations.issuing.void import void_citation
from citations.notice.kept import amend_with_notice, notice_document
from citations.record.agencies import allocate_block, describe_block, get_agency
from citations.record.lookup import CitationPublic, get_citation
from citations.roles import Action
from ordinances.resolve import ResolvedVersion

router = APIRouter(prefix="/v1", route_class=ExactJsonRoute)


class Body(InputModel):
    """A request body that refuses unknown fields (a misspelt field is an error, not ignored)
    and control characters in any text (as intake does: unprintable on a document, and
    PostgreSQL cannot store NUL). Every route also refuses them before its model reads the
    body (`bodies.ExactJsonRoute`)."""


PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/problem+json": {}}}
    for status, text in {
        400: "Malformed request",
        401: "Missing, malformed, revoked or expired token",
        403: "The token's role may not do this",
        404: "Not found",
        409: "Conflict",
        422: "Invalid fields (listed in `errors`)",
        503: "Not ready (catalog not published, database unavailable)",
    }.items()
}


@router.post(
    "/citations",
    response_model=IntakeResult,
    status_code=201,
    responses={
        200: {"description": "Recorded without a citation (referred, declined, warning)"},
        **PROBLEMS,
    },
    summary="Send an intake message",
)
def post_citation(
    message: IntakeMessage, actor: ActorDep, writer: IntakeWriterDep, response: Response
) -> IntakeResult:
    """Decide a violation: issue a civil citation, or record a referral, a declined case or a
    warning. `message_id` is the idempotency key: the same message again returns the first
    result (with `Idempotent-Replayed: true`); another body under the same id is a 409."""
    issued = writer.submit(message, actor)  # committed together with concurrent requests
    result = issued.result
    if result.outcome is Outcome.ISSUED:
        response.status_code = 201
        response.headers["Location"] = f"/v1/citations/{result.citation_number}"
    else:
        response.status_code = 200
    if issued.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return result


@router.get(
    "/citations/{number}",
    response_model=CitationPublic,
    responses=PROBLEMS,
    summary="Read a citation",
)
def read_citation(number: str, actor: ActorDep, session: SessionDep) -> CitationPublic:
    """An officer reads only their own agency's citations; other roles read all."""
    return get_citation(session, number, actor)


@router.get(
    "/citations/{number}/notice.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The notice"}, **PROBLEMS},
    summary="The citation's notice as PDF",
)
def read_notice(number: str, actor: ActorDep, session: SessionDep) -> Response:
    """The notice as it was given: the same bytes on every download (kept the first time)."""
    document = notice_document(session, number, actor, now=clock())
    return pdf_response(document.content, f"{document.citation.number}.pdf")


class VoidRequest(InputModel):
    reason: Annotated[str, Field(min_length=3, max_length=2000)]


@router.post(
    "/citations/{number}/void",
    response_model=CitationPublic,
    responses=PROBLEMS,
    summary="Void a citation issued in error",
)
def void(number: str, body: VoidRequest, actor: ActorDep, session: SessionDep) -> CitationPublic:
    """Only before any payment or hearing; afterwards a hearing officer can only dismiss."""
    return void_citation(session, number, body.reason, actor=actor, now=clock())


@router.post(
    "/citations/{number}/amendments",
    response_model=CitationPublic,
    responses=PROBLEMS,
    summary="Amend a citation",
)
def amend(number: str, body: Amendment, actor: ActorDep, session: SessionDep) -> CitationPublic:
    """A new revision, decided again; history is kept, and the amended notice is sent (and
    kept as sent)."""
    return amend_with_notice(session, number, body, actor=actor, now=clock())


class BlockRequest(InputModel):
    agency: Annotated[str, Field(min_length=2, max_length=8)]
    device_id: Annotated[str, Field(min_length=1, max_length=100)]
    size: Annotated[int, Field(ge=1, le=10_000)] = 500


class BlockPublic(BaseModel):
    agency: str
    device_id: str
    year: int
    first: str
    last: str
    size: int


@router.post(
    "/number-blocks",
    response_model=BlockPublic,
    status_code=201,
    responses=PROBLEMS,
    summary="Reserve citation numbers for a device",
)
def post_block(body: BlockRequest, actor: ActorDep, session: SessionDep) -> BlockPublic:
    """Numbers for writing citations offline; each is accepted once, from this device only."""
    profile = PublishedCatalog(session).jurisdiction()
    now = clock()
    year = local_date(now, profile).year
    block = allocate_block(
        session, body.agency, body.device_id, body.size, year=year, actor=actor, now=now
    )
    return BlockPublic.model_validate(describe_block(get_agency(session, body.agency), block))


class NotInForcePublic(BaseModel):
    code: str
    reason: str


class CodeTable(BaseModel):
    """What devices sync: every ordinance with the version in force on a date."""

    on: date
    in_effect: list[ResolvedVersion]
    not_in_effect: list[NotInForcePublic]


@router.get(
    "/ordinances",
    response_model=CodeTable,
    responses=PROBLEMS,
    summary="The code table for devices",
)
def read_ordinances(
    actor: ActorDep,
    session: SessionDep,
    on: Annotated[Day | None, Query(description="YYYY-MM-DD; default today locally")] = None,
) -> CodeTable:
    actor.require(Action.READ_CATALOG)
    catalog = PublishedCatalog(session)
    day = on or catalog.today(clock())
    listing = catalog.in_effect(day)
    return CodeTable(
        on=day,
        in_effect=listing.in_force,
        not_in_effect=[
            NotInForcePublic(code=n.code, reason=n.reason) for n in listing.not_in_force
        ],
    )


@router.get("/schemas/intake", summary="The intake message's JSON schema")
def read_intake_schema() -> dict[str, Any]:
    return intake_schema()
