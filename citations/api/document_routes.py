"""Endpoints for the documents as sent: the list, each one's bytes, returned mail and a new
address. Each calls one library function, which checks the roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import Field

from citations.api.bodies import ExactJsonRoute
from citations.api.limits import RecordId
from citations.api.routes import PROBLEMS, Body
from citations.http.deps import ActorDep, SessionDep, clock
from citations.http.responses import pdf_response
from citations.inputs import Day
from citations.issuing.intake import Address
from citations.notice.address import change_address
from citations.record.returns import record_return
from citations.record.sent import DocumentPublic, describe, documents_of, stored_document

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


@router.get(
    "/citations/{number}/documents",
    response_model=list[DocumentPublic],
    summary="Every document sent on a citation",
)
def read_documents(number: str, actor: ActorDep, session: SessionDep) -> list[DocumentPublic]:
    """Oldest first: kind, what it is about, language, the date it bears, how it went out and
    to which address, its SHA-256 and size, and its entry in the mailing log (returned or
    not). Receipts are listed to those who may print them, late notices likewise."""
    return documents_of(session, number, actor)


@router.get(
    "/citations/{number}/documents/{document_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The document"}},
    summary="A document, as it was sent",
)
def read_document(
    number: str, document_id: RecordId, actor: ActorDep, session: SessionDep
) -> Response:
    """The very bytes that were given or mailed: the same on every download."""
    document = stored_document(session, number, document_id, actor)
    return pdf_response(
        document.content, f"{document.citation.number}-{document.kind}-{document.id}.pdf"
    )


class ReturnedMail(Body):
    returned_on: Day
    """The day the letter came back."""
    reason: Annotated[str, Field(min_length=3, max_length=2000)]
    """As the post marked it: moved, no such address, refused..."""


@router.post(
    "/citations/{number}/documents/{document_id}/return",
    response_model=DocumentPublic,
    summary="Record a mailed document that came back",
)
def post_return(
    number: str, document_id: RecordId, body: ReturnedMail, actor: ActorDep, session: SessionDep
) -> DocumentPublic:
    """The mailing log keeps the day and the reason; the citation is flagged for a clerk's
    attention until a new address is recorded."""
    return record_return(
        session,
        number,
        document_id,
        returned_on=body.returned_on,
        reason=body.reason,
        actor=actor,
        now=clock(),
    )


@router.post(
    "/citations/{number}/address",
    response_model=DocumentPublic,
    status_code=201,
    summary="Record a new address and mail the notice to it",
)
def post_address(
    number: str, body: Address, actor: ActorDep, session: SessionDep
) -> DocumentPublic:
    """The person's new address, recorded on the citation; the notice is mailed to it with
    new deadlines, and the attention flag is cleared. Answers the notice as mailed."""
    return describe(session, change_address(session, number, body, actor=actor, now=clock()))
