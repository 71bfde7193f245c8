"""What a person asks for online that no rule decides at once: it waits for staff.

A request is recorded with the person's statement and details and audited in the same
transaction; the clerks' queue lists the waiting ones, and staff answer each (granting
does what a clerk's own step does, with the person's request as its reason).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.audit import record
from citations.errors import FieldError, InputRejected, NotFound
from citations.record.person import PersonRequest
from citations.record.tables import Citation
from citations.roles import Action, Actor


class RequestKind(StrEnum):
    ABILITY_TO_PAY = "ability_to_pay"
    SET_ASIDE = "set_aside"
    MOVE_HEARING = "move_hearing"
    PAYMENT_PLAN = "payment_plan"


def create_request(
    session: Session,
    citation: Citation,
    kind: RequestKind,
    statement: str,
    *,
    details: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> PersonRequest:
    """Record a request for staff (the caller holds the citation's lock); one request of a
    kind waits at a time."""
    waiting = session.scalar(
        select(PersonRequest.id).where(
            PersonRequest.citation_id == citation.id,
            PersonRequest.kind == kind.value,
            PersonRequest.status == "waiting",
        )
    )
    if waiting is not None:
        raise InputRejected(
            [FieldError("kind", "this request was already sent and waits for an answer")],
            "already asked",
        )
    request = PersonRequest(
        citation_id=citation.id,
        kind=kind.value,
        received_at=now,
        statement=statement.strip(),
        details=details,
        status="waiting",
    )
    session.add(request)
    session.flush()
    record(
        session,
        at=now,
        actor=actor.name,
        action=f"request.{kind.value}",
        entity_type="citation",
        entity_key=citation.number,
        after={"request": request.id} | details,
    )
    return request


def requests_of(session: Session, citation: Citation) -> list[PersonRequest]:
    return list(
        session.scalars(
            select(PersonRequest)
            .where(PersonRequest.citation_id == citation.id)
            .order_by(PersonRequest.id)
        )
    )


def answer_request(
    session: Session,
    request_id: int,
    *,
    granted: bool,
    answer: str,
    actor: Actor,
    now: datetime,
) -> PersonRequest:
    """Staff answer a waiting request, with words the person reads on their page.

    This records the answer; what a grant then does (set the default aside, decide ability
    to pay, start the plan) is the clerk's own step, called with the request's details.
    """
    actor.require(Action.ANSWER_REQUESTS)
    # Read again under the lock, over any copy this session loaded before (a grant that
    # loaded the request to act on it): two staff answering at once answer it once.
    request = session.scalar(
        select(PersonRequest)
        .where(PersonRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise NotFound("request", str(request_id))
    if request.status != "waiting":
        raise InputRejected(
            [FieldError("request", f"request {request_id} was already answered ({request.status})")]
        )
    if len(answer.strip()) < 5:
        raise InputRejected([FieldError("answer", "say in a sentence what was decided and why")])
    request.status = "granted" if granted else "denied"
    request.decided_at = now
    request.decided_by = actor.name
    request.decision = answer.strip()
    record(
        session,
        at=now,
        actor=actor.name,
        action=f"request.{request.kind}.{request.status}",
        entity_type="citation",
        entity_key=request.citation.number,
        reason=request.decision,
        after={"request": request.id},
    )
    return request
