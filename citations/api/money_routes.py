"""Endpoints for money and alternatives; each calls one library function, which checks the
roles (an attorney cannot post payments) and every rule."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from citations.api.bodies import ExactJsonRoute
from citations.api.limits import DayQuery, FromQuery, ToQuery
from citations.api.routes import PROBLEMS, Body
from citations.daily import run_daily
from citations.http.deps import ActorDep, SessionDep, clock
from citations.http.responses import pdf_response
from citations.inputs import Day
from citations.money import from_cents
from citations.payments.ability import AbilityDecision, Declaration, request_ability_to_pay
from citations.payments.collections import export_collections
from citations.payments.diversion import Obligation, fulfil, refer
from citations.payments.kept import late_notice_document, receipt_document
from citations.payments.plans import Installment, create_plan
from citations.payments.posting import (
    PaymentRequest,
    PaymentResult,
    payments_of,
    record_payment,
    reverse_payment,
)
from citations.payments.reconciliation import Reconciliation, reconcile
from citations.payments.service import ServiceState, elect_service, extend, log_hours, sign_off
from citations.record.ledger import entries, signed_amount
from citations.record.lookup import find_citation
from citations.roles import Action

router = APIRouter(prefix="/v1", responses=PROBLEMS, route_class=ExactJsonRoute)


@router.post(
    "/citations/{number}/payments",
    response_model=PaymentResult,
    status_code=201,
    summary="Record a payment",
)
def post_payment(
    number: str,
    body: PaymentRequest,
    actor: ActorDep,
    session: SessionDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> PaymentResult:
    """With an `Idempotency-Key` header, the same key and body return the first result
    (`Idempotent-Replayed: true`); the same key with another body is a 409."""
    result, replayed = record_payment(
        session,
        number,
        body,
        actor=actor,
        now=clock(),
        idempotency_key=idempotency_key,
        source="api",
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return result


@router.get(
    "/citations/{number}/payments",
    response_model=list[PaymentResult],
    summary="Payments, deposits, reversals and refunds",
)
def read_payments(number: str, actor: ActorDep, session: SessionDep) -> list[PaymentResult]:
    actor.require(Action.READ_MONEY_REPORTS)
    return payments_of(session, find_citation(session, number, actor))


class LedgerLine(BaseModel):
    id: int
    kind: str
    amount: Decimal
    signed_amount: Decimal
    method: str | None
    reference: str | None
    created_at: Any
    created_by: str
    reason: str | None


@router.get(
    "/citations/{number}/ledger", response_model=list[LedgerLine], summary="The citation's ledger"
)
def read_ledger(number: str, actor: ActorDep, session: SessionDep) -> list[LedgerLine]:
    actor.require(Action.READ_MONEY_REPORTS)
    citation = find_citation(session, number, actor)
    return [
        LedgerLine(
            id=e.id,
            kind=e.kind,
            amount=from_cents(e.amount_cents),
            signed_amount=signed_amount(e),
            method=e.method,
            reference=e.reference,
            created_at=e.created_at,
            created_by=e.created_by,
            reason=e.reason,
        )
        for e in entries(session, citation)
    ]


class Reversal(Body):
    reason: Annotated[str, Field(min_length=3, max_length=2000)]


@router.post(
    "/payments/{receipt}/reversal",
    response_model=PaymentResult,
    status_code=201,
    summary="Reverse a returned payment",
)
def post_reversal(
    receipt: str, body: Reversal, actor: ActorDep, session: SessionDep
) -> PaymentResult:
    return reverse_payment(session, receipt, body.reason, actor=actor, now=clock())


@router.get("/payments/{receipt}/receipt.pdf", response_class=Response, summary="A receipt")
def read_receipt(receipt: str, actor: ActorDep, session: SessionDep) -> Response:
    """The receipt as it was given when the money was posted."""
    document = receipt_document(session, receipt, actor, now=clock())
    return pdf_response(document.content, f"{receipt}.pdf")


@router.get(
    "/citations/{number}/late-notice.pdf",
    response_class=Response,
    summary="The late notice, as it was sent",
)
def read_late_notice(number: str, actor: ActorDep, session: SessionDep) -> Response:
    """The latest late notice, sent when daily processing marked the citation delinquent."""
    document = late_notice_document(session, number, actor)
    return pdf_response(document.content, f"{document.citation.number}-late-notice.pdf")


class PlanRequest(Body):
    installments: list[Installment]


@router.post("/citations/{number}/plan", status_code=201, summary="Start a payment plan")
def post_plan(
    number: str, body: PlanRequest, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    plan = create_plan(session, number, body.installments, actor=actor, now=clock())
    return {
        "plan_id": plan.id,
        "status": plan.status,
        "installments": [i.model_dump(mode="json") for i in body.installments],
    }


@router.post(
    "/citations/{number}/ability-to-pay",
    response_model=AbilityDecision,
    summary="Decide an ability-to-pay request",
)
def post_ability(
    number: str, body: Declaration, actor: ActorDep, session: SessionDep
) -> AbilityDecision:
    return request_ability_to_pay(session, number, body, actor=actor, now=clock())


class Election(Body):
    provider: str


class HoursLog(Body):
    worked_on: Day
    hours: Annotated[Decimal, Field(gt=0, le=24)]


class SignOff(Body):
    signer: Annotated[str, Field(min_length=3, max_length=200)]


class Extension(Body):
    reason: Annotated[str, Field(min_length=5, max_length=2000)]


@router.post(
    "/citations/{number}/service",
    response_model=ServiceState,
    status_code=201,
    summary="Elect community service",
)
def post_service(number: str, body: Election, actor: ActorDep, session: SessionDep) -> ServiceState:
    return elect_service(session, number, body.provider, actor=actor, now=clock())


@router.post(
    "/citations/{number}/service/hours",
    response_model=ServiceState,
    status_code=201,
    summary="Log hours worked",
)
def post_hours(number: str, body: HoursLog, actor: ActorDep, session: SessionDep) -> ServiceState:
    return log_hours(session, number, body.worked_on, body.hours, actor=actor, now=clock())


@router.post(
    "/citations/{number}/service/sign-off",
    response_model=ServiceState,
    summary="The provider signs off the hours",
)
def post_sign_off(number: str, body: SignOff, actor: ActorDep, session: SessionDep) -> ServiceState:
    return sign_off(session, number, body.signer, actor=actor, now=clock())


@router.post(
    "/citations/{number}/service/extension",
    response_model=ServiceState,
    summary="Extend the service deadline",
)
def post_extension(
    number: str, body: Extension, actor: ActorDep, session: SessionDep
) -> ServiceState:
    return extend(session, number, body.reason, actor=actor, now=clock())


class Referral(Body):
    program: str
    obligations: Annotated[list[Obligation], Field(min_length=1)]


@router.post("/citations/{number}/diversion", status_code=201, summary="Refer to a program")
def post_diversion(
    number: str, body: Referral, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    referral = refer(session, number, body.program, body.obligations, actor=actor, now=clock())
    return {
        "program": referral.program_id,
        "deadline": referral.deadline,
        "obligations": referral.obligations,
        "status": referral.status,
    }


class Done(Body):
    done_on: Day


@router.post(
    "/citations/{number}/diversion/obligations/{index}", summary="Record an obligation done"
)
def post_obligation(
    number: str, index: int, body: Done, actor: ActorDep, session: SessionDep
) -> dict[str, Any]:
    referral = fulfil(session, number, index, body.done_on, actor=actor, now=clock())
    return {
        "program": referral.program_id,
        "status": referral.status,
        "obligations": referral.obligations,
    }


@router.post("/processing", summary="Run daily processing for a date (admin)")
def post_processing(actor: ActorDep, session: SessionDep, as_of: DayQuery) -> dict[str, Any]:
    # In transactions of its own (citations.daily), as `citations process` runs it.
    run = run_daily(session.get_bind().engine, as_of=as_of, actor=actor, now=clock())
    report, upkept = run.report, run.upkeep
    return {
        "as_of": report.as_of,
        "mailed": report.mailed,
        "plans_defaulted": report.plans_defaulted,
        "service_failed": report.service_failed,
        "diversion_failed": report.diversion_failed,
        "delinquent": report.delinquent,
        "referred": report.referred,
        # What `citations process` prints as its "Upkeep:" line: empty lists on SQLite.
        "upkeep": asdict(upkept),  # partitions, analyzed, left
    }


@router.get(
    "/collections/export.csv", response_class=Response, summary="The collection agency's export"
)
def read_collections(
    actor: ActorDep, session: SessionDep, since: Annotated[Day | None, Query()] = None
) -> Response:
    return Response(export_collections(session, since=since, actor=actor), media_type="text/csv")


@router.get("/reconciliation", response_model=Reconciliation, summary="Daily reconciliation")
def read_reconciliation(
    actor: ActorDep,
    session: SessionDep,
    start: FromQuery,
    end: ToQuery,
) -> Reconciliation:
    return reconcile(session, start, end, actor=actor)
