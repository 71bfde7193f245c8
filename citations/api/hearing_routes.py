"""Endpoints for hearing clerks: contests, waivers, hearing officers, dockets and decisions.

Each one calls one library function; the library checks roles (an officer token can neither
schedule nor decide) and every rule.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from citations.api.bodies import ExactJsonRoute
from citations.api.limits import FromQuery, RowId, RowIdField, ToQuery
from citations.api.routes import PROBLEMS, Body
from citations.hearings.build import (
    ContestPublic,
    contest_summary,
    docket_sheet_for,
)
from citations.hearings.contests import (
    decide_review,
    decide_waiver,
    pay_deposit,
    request_hearing,
    request_review,
)
from citations.hearings.decisions import NAME_LENGTH, Outcome, Signer
from citations.hearings.kept import current_packet, hearing_notice_document, order_document
from citations.hearings.officers import (
    Qualification,
    add_availability,
    add_officer,
    create_session,
    list_officers,
    list_sessions,
    recuse,
)
from citations.hearings.render import render_docket_sheet
from citations.hearings.scheduling import (
    continue_hearing,
    decide_hearing,
    record_no_show,
    schedule_hearing,
    set_aside_default,
)
from citations.http.deps import ActorDep, SessionDep, clock
from citations.http.responses import pdf_response
from citations.inputs import Amount, Day, Moment
from citations.payments.plans import Installment
from citations.roles import Action

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


class ReviewRequest(Body):
    statement: Annotated[str, Field(min_length=1, max_length=10_000)]
    received_at: Moment | None = None
    late_reason: str | None = None


SignedText = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH)]


class Decision(Body):
    outcome: Literal["upheld", "dismissed", "reduced"]
    findings: Annotated[str, Field(min_length=1, max_length=20_000)]
    new_amount: Amount | None = None
    reduction_reason: str | None = None
    payment_schedule: list[Installment] = Field(default_factory=list)


class Reviewer(Body):
    """The reviewer who decided, as they sign the order."""

    name: SignedText
    title: SignedText


class ReviewDecision(Decision):
    decided_by: Reviewer
    """Who decided, by name and title, as printed on the order and its signature line (the
    token's holder is recorded as who entered it)."""

    def signer(self) -> Signer:
        return Signer(self.decided_by.name, self.decided_by.title)


class OfficerSignature(Body):
    name: SignedText
    title: SignedText | None = None


class HearingDecision(Decision):
    held_early_reason: Annotated[str, Field(max_length=5000)] | None = None
    """Only for a hearing held before its set time by agreement: why (clerks); without it a
    decision before the hearing's time is refused (422, `/problems/too-early`)."""
    decided_by: OfficerSignature | None = None
    """Leave out: the session's hearing officer signs. A name other than theirs is refused;
    a title is printed under their name (else "Hearing officer")."""

    def signer(self) -> Signer | None:
        given = self.decided_by
        return Signer(given.name, given.title) if given is not None else None


class HearingRequest(Body):
    received_at: Moment | None = None
    deposit: Amount | None = None
    deposit_method: str | None = None
    deposit_reference: str | None = None
    waiver_declaration: str | None = None
    interpreter_language: str | None = None
    late_reason: str | None = None


class WaiverDecision(Body):
    granted: bool
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class Deposit(Body):
    amount: Amount
    received_at: Moment | None = None
    method: str | None = None
    reference: str | None = None


class Placement(Body):
    session_id: RowIdField | None = None
    """Leave out to take the earliest fitting session."""


class Continuance(Body):
    reason: Annotated[str, Field(min_length=1, max_length=5000)]
    session_id: RowIdField | None = None


class SetAside(Body):
    reason: Annotated[str, Field(min_length=1, max_length=5000)]
    received_at: Moment | None = None


@router.get("/citations/{number}/contest", response_model=ContestPublic, summary="A contest")
def read_contest(number: str, actor: ActorDep, session: SessionDep) -> ContestPublic:
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/review-requests",
    response_model=ContestPublic,
    status_code=201,
    summary="Request the initial review (contest)",
)
def post_review_request(
    number: str, body: ReviewRequest, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    """Refused after the deadline (422, `/problems/deadline-missed`) unless a clerk gives a
    `late_reason`."""
    now = clock()
    request_review(
        session,
        number,
        body.statement,
        received_at=body.received_at or now,
        actor=actor,
        now=now,
        late_reason=body.late_reason,
    )
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/review-decision",
    response_model=ContestPublic,
    summary="Decide the initial review",
)
def post_review_decision(
    number: str, body: ReviewDecision, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    """The order is signed by `decided_by`, the reviewer (required); the token's holder is
    recorded as who entered it."""
    decide_review(
        session,
        number,
        Outcome(body.outcome),
        body.findings,
        decided_by=body.signer(),
        actor=actor,
        now=clock(),
        new_amount=body.new_amount,
        reduction_reason=body.reduction_reason,
    )
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/hearing-requests",
    response_model=ContestPublic,
    status_code=201,
    summary="Request the administrative hearing",
)
def post_hearing_request(
    number: str, body: HearingRequest, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    now = clock()
    request_hearing(
        session,
        number,
        received_at=body.received_at or now,
        actor=actor,
        now=now,
        deposit=body.deposit,
        deposit_method=body.deposit_method,
        deposit_reference=body.deposit_reference,
        waiver_declaration=body.waiver_declaration,
        interpreter_language=body.interpreter_language,
        late_reason=body.late_reason,
    )
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/waiver-decision",
    response_model=ContestPublic,
    summary="Grant or deny the hardship waiver of the deposit",
)
def post_waiver_decision(
    number: str, body: WaiverDecision, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    decide_waiver(session, number, body.granted, body.reason, actor=actor, now=clock())
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/deposits",
    response_model=ContestPublic,
    status_code=201,
    summary="Record the deposit due after a refused waiver",
)
def post_deposit(number: str, body: Deposit, actor: ActorDep, session: SessionDep) -> ContestPublic:
    now = clock()
    pay_deposit(
        session,
        number,
        body.amount,
        received_at=body.received_at or now,
        actor=actor,
        now=now,
        method=body.method,
        reference=body.reference,
    )
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/hearing",
    response_model=ContestPublic,
    status_code=201,
    summary="Schedule the hearing",
)
def post_schedule(
    number: str, body: Placement, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    schedule_hearing(session, number, actor=actor, now=clock(), session_id=body.session_id)
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/hearing/continuance",
    response_model=ContestPublic,
    summary="Continue (postpone and reschedule) the hearing",
)
def post_continuance(
    number: str, body: Continuance, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    continue_hearing(
        session, number, body.reason, actor=actor, now=clock(), session_id=body.session_id
    )
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/hearing/no-show",
    response_model=ContestPublic,
    summary="Record a no-show: a default",
)
def post_no_show(number: str, actor: ActorDep, session: SessionDep) -> ContestPublic:
    """Refused before the hearing's time (422, `/problems/too-early`)."""
    record_no_show(session, number, actor=actor, now=clock())
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/hearing/set-aside",
    response_model=ContestPublic,
    summary="Set aside a default for good cause",
)
def post_set_aside(
    number: str, body: SetAside, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    now = clock()
    set_aside_default(
        session, number, body.reason, received_at=body.received_at or now, actor=actor, now=now
    )
    return contest_summary(session, number, actor)


@router.post(
    "/citations/{number}/hearing/decision",
    response_model=ContestPublic,
    summary="Record the hearing decision",
)
def post_hearing_decision(
    number: str, body: HearingDecision, actor: ActorDep, session: SessionDep
) -> ContestPublic:
    """Refused before the hearing's set time (422, `/problems/too-early`) unless a clerk gives
    `held_early_reason`: the hearing was held early by agreement. The order is signed by the
    session's hearing officer."""
    decide_hearing(
        session,
        number,
        Outcome(body.outcome),
        body.findings,
        actor=actor,
        now=clock(),
        new_amount=body.new_amount,
        reduction_reason=body.reduction_reason,
        payment_schedule=body.payment_schedule,
        held_early_reason=body.held_early_reason,
        decided_by=body.signer(),
    )
    return contest_summary(session, number, actor)


@router.get(
    "/citations/{number}/hearing-notice.pdf", response_class=Response, summary="The hearing notice"
)
def read_hearing_notice(number: str, actor: ActorDep, session: SessionDep) -> Response:
    """The latest hearing notice, as it was sent (also once the hearing is decided)."""
    document = hearing_notice_document(session, number, actor, now=clock())
    return pdf_response(document.content, f"{document.citation.number}-hearing-notice.pdf")


@router.get(
    "/citations/{number}/hearing-packet.pdf",
    response_class=Response,
    summary="The hearing packet, as it stands now",
)
def read_hearing_packet(number: str, actor: ActorDep, session: SessionDep) -> Response:
    """Every piece of evidence for the citation's newest hearing, drawn now (the evidence may
    have grown since the notice went out); each packet sent is in `/documents`."""
    canonical, pdf = current_packet(session, number, actor, now=clock())
    return pdf_response(pdf, f"{canonical}-hearing-packet.pdf")


@router.get(
    "/citations/{number}/order.pdf", response_class=Response, summary="The latest decision order"
)
def read_order(number: str, actor: ActorDep, session: SessionDep) -> Response:
    """The latest order, as it was sent; every order is in `/documents`."""
    document = order_document(session, number, actor, now=clock())
    return pdf_response(document.content, f"{document.citation.number}-order.pdf")


class OfficerCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    qualification: Qualification
    qualification_detail: str = ""
    training_hours: Annotated[int, Field(ge=0, le=100_000)] | None = None
    independence: str


class OfficerPublic(BaseModel):
    id: int
    name: str
    qualification: str
    qualification_detail: str
    independence: str
    active: bool


@router.get("/hearing-officers", response_model=list[OfficerPublic], summary="Hearing officers")
def read_officers(actor: ActorDep, session: SessionDep) -> list[OfficerPublic]:
    actor.require(Action.MANAGE_HEARING_OFFICERS)
    return [OfficerPublic.model_validate(o, from_attributes=True) for o in list_officers(session)]


@router.post(
    "/hearing-officers",
    response_model=OfficerPublic,
    status_code=201,
    summary="Register a hearing officer",
)
def post_officer(body: OfficerCreate, actor: ActorDep, session: SessionDep) -> OfficerPublic:
    officer = add_officer(
        session,
        body.name,
        body.qualification,
        body.qualification_detail,
        body.independence,
        actor=actor,
        now=clock(),
        training_hours=body.training_hours,
    )
    return OfficerPublic.model_validate(officer, from_attributes=True)


class AvailabilityCreate(Body):
    day: Day
    start: time
    end: time


@router.post(
    "/hearing-officers/{officer_id}/availability",
    status_code=201,
    summary="Add an availability window",
)
def post_availability(
    officer_id: RowId, body: AvailabilityCreate, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    window = add_availability(
        session, officer_id, body.day, body.start, body.end, actor=actor, now=clock()
    )
    return {"id": window.id, "day": window.day, "start": window.start_time, "end": window.end_time}


class RecusalCreate(Body):
    citation_number: str
    reason: str


@router.post(
    "/hearing-officers/{officer_id}/recusals",
    status_code=201,
    summary="Recuse an officer from a citation",
)
def post_recusal(
    officer_id: RowId, body: RecusalCreate, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    recusal = recuse(
        session, officer_id, body.citation_number, body.reason, actor=actor, now=clock()
    )
    return {"id": recusal.id, "officer_id": officer_id, "reason": recusal.reason}


class SessionCreate(Body):
    day: Day
    start: time
    officer_id: RowIdField
    capacity: Annotated[int, Field(ge=1, le=200)]
    place: str | None = None
    remote_link: str | None = None
    slot_minutes: Annotated[int, Field(ge=5, le=240)] | None = None


class SessionPublic(BaseModel):
    id: int
    day: date
    start_time: time
    place: str | None
    remote_link: str | None
    officer_id: int
    capacity: int
    booked: int
    slot_minutes: int | None


@router.post(
    "/docket-sessions",
    response_model=SessionPublic,
    status_code=201,
    summary="Open a docket session",
)
def post_session(body: SessionCreate, actor: ActorDep, session: SessionDep) -> SessionPublic:
    created = create_session(
        session,
        day=body.day,
        start=body.start,
        officer_id=body.officer_id,
        capacity=body.capacity,
        place=body.place,
        remote_link=body.remote_link,
        slot_minutes=body.slot_minutes,
        actor=actor,
        now=clock(),
    )
    return SessionPublic.model_validate(created, from_attributes=True)


@router.get("/docket-sessions", response_model=list[SessionPublic], summary="Docket sessions")
def read_sessions(
    actor: ActorDep,
    session: SessionDep,
    start: FromQuery,
    end: ToQuery,
) -> list[SessionPublic]:
    actor.require(Action.MANAGE_DOCKET)
    return [
        SessionPublic.model_validate(s, from_attributes=True)
        for s in list_sessions(session, start, end)
    ]


@router.get(
    "/docket-sessions/{session_id}/docket.pdf",
    response_class=Response,
    summary="The printable docket sheet",
)
def read_docket(session_id: RowId, actor: ActorDep, session: SessionDep) -> Response:
    context = docket_sheet_for(session, session_id, actor, now=clock())
    return pdf_response(render_docket_sheet(context), f"docket-{session_id}.pdf")


__all__ = ["router"]
