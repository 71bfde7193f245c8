"""The counter: a payment taken at the clerks' window with its receipt at once, and the
cashier's drawer (open with a float, the receipts in it, close with the counted cash and
checks), the drawers by day, and what a citation's page shows of it (the counter's next
steps and a plan's installments).

The payment goes through `citations.payments.drawers.take_counter_payment`, the one path
that puts money in a drawer; it refuses cash or a check with no drawer open. Each form
carries a one-time key, so a payment sent twice (a double click, a reload) is recorded once
and both answers show the same receipt.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from citations.calendar import local_date
from citations.catalog.store import PublishedCatalog
from citations.database import reading, transaction
from citations.errors import IllegalTransition, InputRejected, NotFound
from citations.http.deps import EngineDep
from citations.http.responses import pdf_response
from citations.inputs import whole_number
from citations.payments.drawers import (
    close_drawer,
    counter_methods,
    current_drawer,
    get_drawer,
    list_drawers,
    my_drawer,
    open_drawer,
    take_counter_payment,
)
from citations.payments.kept import receipt_document
from citations.payments.plans import PLANNABLE
from citations.payments.posting import PaymentRequest
from citations.payments.service import ELECTABLE, offer_of
from citations.payments.tables import (
    DiversionReferral,
    Payment,
    PaymentPlan,
    ServiceAssignment,
)
from citations.record.ledger import balance
from citations.record.lookup import find_citation, to_public
from citations.record.status import OWED, CitationStatus
from citations.record.tables import Citation
from citations.roles import PERMISSIONS, Action, Actor
from citations.web import counter_forms
from citations.web.auth import ActorDep, ClockDep, FormDep
from citations.web.forms import Desk, FormPage, FormState, Parser, Values, local_now, show_form
from citations.web.guard import PREFIX, web_router
from citations.web.pages import Formats, render

router = web_router()
S = CitationStatus
DRAWER_FIELDS = frozenset({"float", "counted_cash", "counted_checks", "note"})


class CounterPayment(FormPage):
    slug = "payment"
    template = "counter/payment.html"
    fields = frozenset({"amount", "method", "reference", "received_at"})
    action = Action.RECORD_PAYMENT

    def defaults(self, desk: Desk) -> Values:
        return {"received_at": local_now(desk), "key": secrets.token_urlsafe(16)}

    def extra(self, desk: Desk) -> dict[str, Any]:
        return {
            "methods": counter_methods(desk.profile),
            "drawer": current_drawer(desk.session, desk.actor),
        }

    def take(self, desk: Desk, read: Parser) -> str:
        """Record the payment; the receipt number."""
        amount = read.money("amount", required=True)
        if amount is not None and amount <= 0:
            read.refuse("amount", "enter an amount above zero")
        method = read.choice("method", counter_methods(desk.profile), "choose how it was paid")
        reference = read.optional("reference")
        received = read.moment("received_at")
        key = read.text("key")
        read.done()
        assert amount is not None and method is not None
        request = PaymentRequest(
            amount=amount, method=method, reference=reference, received_at=received
        )
        result, _ = take_counter_payment(
            desk.session,
            desk.citation.number,
            request,
            actor=desk.actor,
            now=desk.now,
            idempotency_key=f"counter:{key}" if key else None,
        )
        return result.receipt_number


PAYMENT = CounterPayment()


@router.get("/citations/{number}/payment")
def payment_form(
    number: str, request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    return show_form(request, PAYMENT, number, actor, engine, now, None)


@router.post("/citations/{number}/payment")
def payment_submit(
    number: str,
    request: Request,
    form: FormDep,
    actor: ActorDep,
    engine: EngineDep,
    now: ClockDep,
) -> Response:
    """Record the payment and show its receipt at once (a refusal keeps what was typed)."""
    try:
        with transaction(engine) as session:
            citation = find_citation(session, number, actor)
            profile = PublishedCatalog(session).jurisdiction()
            desk = Desk(session, actor, now, profile, Formats.of(profile), citation)
            receipt = PAYMENT.take(desk, Parser(form, desk.formats))
    except (InputRejected, IllegalTransition) as exc:
        state = FormState(values={k: v for k, v in form.items() if k != "csrf_token"})
        state.absorb(exc, PAYMENT.fields)
        return show_form(request, PAYMENT, number, actor, engine, now, state)
    return RedirectResponse(f"{PREFIX}/receipts/{receipt}", status_code=303)


@router.get("/receipts/{receipt}")
def receipt_page(
    receipt: str, request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    """The receipt's facts, to read back to the payer, and the receipt to print."""
    actor.require(Action.RECORD_PAYMENT)
    with reading(engine) as session:
        payment = session.scalar(select(Payment).where(Payment.receipt_number == receipt))
        if payment is None:
            raise NotFound("receipt", receipt)
        citation = find_citation(session, payment.citation.number, actor)
        profile = PublishedCatalog(session).jurisdiction()
        return render(
            request,
            "counter/receipt.html",
            payment=payment,
            citation=to_public(citation),
            fmt=Formats.of(profile),
            plan=plan_of(session, citation, local_date(now, profile)),
        )


@router.get("/receipts/{receipt}/receipt.pdf")
def receipt_pdf(receipt: str, actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
    """The receipt as it was given (kept when the payment was posted)."""
    with transaction(engine) as session:
        document = receipt_document(session, receipt, actor, now=now)
        return pdf_response(document.content, f"{receipt}.pdf")


def _drawer_page(
    request: Request, actor: Actor, engine: Engine, now: datetime, state: FormState | None
) -> Response:
    actor.require(Action.KEEP_DRAWER)
    with reading(engine) as session:
        drawer = my_drawer(session, actor=actor)
        profile = PublishedCatalog(session).jurisdiction()
        status = 422 if state is not None and (state.errors or state.general) else 200
        return render(
            request,
            "counter/drawer.html",
            status,
            drawer=drawer,
            form=state or FormState(),
            fmt=Formats.of(profile),
            done=request.query_params.get("done", ""),
        )


@router.get("/drawer")
def drawer_page(request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep) -> Response:
    """The cashier's own drawer: the form to open it, or what is in it and the close form."""
    return _drawer_page(request, actor, engine, now, None)


def _drawer_step(
    request: Request,
    form: Values,
    actor: Actor,
    engine: Engine,
    now: datetime,
    step: str,
) -> Response:
    try:
        with transaction(engine) as session:
            read = Parser(form, Formats.of(PublishedCatalog(session).jurisdiction()))
            if step == "open":
                opening = read.money("float", required=True)
                read.done()
                assert opening is not None
                open_drawer(session, opening, actor=actor, now=now)
                target = f"{PREFIX}/drawer?done=opened"
            else:
                cash = read.money("counted_cash", required=True)
                checks = read.money("counted_checks", required=True)
                note = read.optional("note")
                read.done()
                assert cash is not None and checks is not None
                closed = close_drawer(session, cash, checks, actor=actor, now=now, note=note)
                target = f"{PREFIX}/drawers/{closed.id}?done=closed"
    except InputRejected as exc:
        state = FormState(values={k: v for k, v in form.items() if k != "csrf_token"})
        state.absorb(exc, DRAWER_FIELDS)
        return _drawer_page(request, actor, engine, now, state)
    return RedirectResponse(target, status_code=303)


@router.post("/drawer/open")
def drawer_open(
    request: Request, form: FormDep, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    return _drawer_step(request, form, actor, engine, now, "open")


@router.post("/drawer/close")
def drawer_close(
    request: Request, form: FormDep, actor: ActorDep, engine: EngineDep, now: ClockDep
) -> Response:
    return _drawer_step(request, form, actor, engine, now, "close")


@router.get("/drawers")
def drawers_page(
    request: Request, actor: ActorDep, engine: EngineDep, now: ClockDep, day: str = ""
) -> Response:
    """The drawer sessions opened on one day (today by default), with their differences."""
    with reading(engine) as session:
        profile = PublishedCatalog(session).jurisdiction()
        error = None
        shown = local_date(now, profile)
        if day:
            try:
                shown = date.fromisoformat(day)
            except ValueError:
                error = "enter a date such as 2026-12-04"
        drawers = list_drawers(session, shown, shown, actor=actor)
        methods = sorted({m for d in drawers for m in d.received})
        return render(
            request,
            "counter/drawers.html",
            422 if error else 200,
            drawers=drawers,
            methods=methods,
            day=shown,
            typed=day or shown.isoformat(),
            error=error,
            previous=shown - timedelta(days=1),
            following=shown + timedelta(days=1),
            fmt=Formats.of(profile),
        )


@router.get("/drawers/{drawer_id}")
def drawer_session_page(
    drawer_id: str, request: Request, actor: ActorDep, engine: EngineDep
) -> Response:
    wanted = whole_number(drawer_id)
    if wanted is None or wanted < 1:
        raise NotFound("drawer session", drawer_id)
    with reading(engine) as session:
        drawer = get_drawer(session, wanted, actor=actor)
        profile = PublishedCatalog(session).jurisdiction()
        return render(
            request,
            "counter/drawer_session.html",
            drawer=drawer,
            fmt=Formats.of(profile),
            done=request.query_params.get("done", ""),
        )


@dataclass(frozen=True)
class InstallmentRow:
    number: int
    due_on: date
    amount: Decimal
    paid: Decimal
    status: str
    """paid, part paid, overdue or due."""


@dataclass(frozen=True)
class PlanShown:
    status: str
    created_at: datetime
    installments: list[InstallmentRow]


def plan_of(session: Session, citation: Citation, today: date) -> PlanShown | None:
    """The citation's latest payment plan with each installment's state on `today` (the
    city's day), or None."""
    plan = session.scalars(
        select(PaymentPlan)
        .where(PaymentPlan.citation_id == citation.id)
        .order_by(PaymentPlan.id.desc())
    ).first()
    if plan is None:
        return None
    rows = []
    for i in plan.installments:
        if i.paid_cents >= i.amount_cents:
            status = "paid"
        elif i.due_on < today and plan.status == "active":
            status = "overdue"
        elif i.paid_cents:
            status = "part paid"
        else:
            status = "due"
        rows.append(
            InstallmentRow(
                i.number,
                i.due_on,
                Decimal(i.amount_cents) / 100,
                Decimal(i.paid_cents) / 100,
                status,
            )
        )
    return PlanShown(plan.status, plan.created_at, rows)


@dataclass(frozen=True)
class CounterSteps:
    """What the citation's page offers at the counter, and its plan's installments."""

    links: list[tuple[str, str]]
    """(address, words) of the counter's forms that fit the citation now."""
    plan: PlanShown | None
    may_pay: bool
    done: dict[str, str]
    """What the citation's page says after each counter form succeeds."""


DONE = {
    "plan": "The payment plan is set up; its installments are below.",
    "ability": "The ability-to-pay determination is recorded; the ledger shows what is owed now.",
    "service": "Community service is recorded; log the hours as the sheets come in.",
    "service-hours": "The hours are recorded.",
    "diversion": "The diversion program's step is recorded.",
}


def counter_steps(
    session: Session, citation: Citation, actor: Actor, now: datetime
) -> CounterSteps:
    """The counter's forms that fit the citation's status (the library still decides)."""
    status = CitationStatus(citation.status)
    may = {a for a in Action if actor.role in PERMISSIONS[a]}
    owed = balance(session, citation)
    base = f"{PREFIX}/citations/{citation.number}"
    links = []
    has_plan = session.scalar(
        select(PaymentPlan.id).where(
            PaymentPlan.citation_id == citation.id, PaymentPlan.status == "active"
        )
    )
    if status in OWED and owed > 0 and Action.RECORD_PAYMENT in may:
        links.append((f"{base}/payment", "Take a payment"))
    if status in PLANNABLE and has_plan is None and owed > 0 and Action.MANAGE_PLANS in may:
        links.append((f"{base}/plan", "Set up a payment plan"))
    if status in OWED - {S.ON_PLAN} and Action.DECIDE_ABILITY_TO_PAY in may:
        links.append((f"{base}/ability", "Record an ability-to-pay determination"))
    serving = session.scalar(
        select(ServiceAssignment.id).where(
            ServiceAssignment.citation_id == citation.id, ServiceAssignment.status == "active"
        )
    )
    if Action.MANAGE_SERVICE in may:
        if serving is not None:
            links.append((f"{base}/service-hours", "Log community service hours"))
        elif status in ELECTABLE and offer_of(citation) is not None and owed > 0:
            links.append((f"{base}/service", "Enrol in community service"))
    diverted = session.scalar(
        select(DiversionReferral.id).where(
            DiversionReferral.citation_id == citation.id, DiversionReferral.status == "active"
        )
    )
    if diverted is not None and Action.MANAGE_DIVERSION in may:
        links.append((f"{base}/diversion", "Record a diversion obligation"))
    today = local_date(now, PublishedCatalog(session).jurisdiction())
    return CounterSteps(
        links, plan_of(session, citation, today), Action.RECORD_PAYMENT in may, DONE
    )


PAGES: list[FormPage] = counter_forms.PAGES
__all__ = ["PAGES", "counter_steps", "router"]
