"""The contest forms: receive a request to contest, decide the review, receive a hearing
request with its deposit or waiver declaration, decide the waiver, record a late deposit.

Requests arrive by mail and at the counter, so each form asks when it was received (the
library judges the deadline by that moment in the jurisdiction's time zone) and offers a
late-filing reason for the clerk to accept a late one.
"""

from __future__ import annotations

from typing import Any

from citations.errors import InputRejected
from citations.hearings.build import contest_summary
from citations.hearings.contests import (
    contest_of,
    decide_review,
    decide_waiver,
    pay_deposit,
    request_hearing,
    request_review,
)
from citations.hearings.decisions import Outcome, Signer
from citations.record.ledger import balance
from citations.roles import Action
from citations.web.forms import Desk, FormPage, Parser, Values, local_now
from citations.web.hearing_forms import OUTCOMES
from citations.web.languages import language_choices, read_language


def _methods(desk: Desk) -> dict[str, Any]:
    return {"methods": list(desk.profile.payments.methods)}


class ReviewRequest(FormPage):
    slug = "review-request"
    template = "forms/review_request.html"
    fields = frozenset({"statement", "received_at", "late_reason"})
    action = Action.RECEIVE_CONTEST

    def defaults(self, desk: Desk) -> Values:
        return {"received_at": local_now(desk)}

    def act(self, desk: Desk, read: Parser) -> None:
        received = read.moment("received_at")
        read.submit(
            lambda: request_review(
                desk.session,
                desk.citation.number,
                read.text("statement"),
                received_at=received or desk.now,
                actor=desk.actor,
                now=desk.now,
                late_reason=read.optional("late_reason"),
            )
        )


class ReviewDecision(FormPage):
    """The reviewer's decision, signed by the reviewer by name and title (never prefilled with
    the signed-in clerk: who enters a decision is not who decided it)."""

    slug = "review"
    template = "forms/review.html"
    fields = frozenset(
        {
            "outcome",
            "findings",
            "new_amount",
            "reduction_reason",
            "decided_by_name",
            "decided_by_title",
        }
    )
    action = Action.DECIDE_REVIEW

    def extra(self, desk: Desk) -> dict[str, Any]:
        try:
            statement = contest_of(desk.session, desk.citation).review_statement
        except InputRejected:
            statement = None
        return {"statement": statement}

    def act(self, desk: Desk, read: Parser) -> None:
        chosen = read.choice("outcome", OUTCOMES, "choose the outcome")
        new_amount = read.money("new_amount")
        outcome = Outcome(read.need(chosen))
        signer = Signer(read.text("decided_by_name"), read.text("decided_by_title"))
        read.submit(
            lambda: decide_review(
                desk.session,
                desk.citation.number,
                outcome,
                read.text("findings"),
                decided_by=signer,
                actor=desk.actor,
                now=desk.now,
                new_amount=new_amount,
                reduction_reason=read.optional("reduction_reason"),
            )
        )


class HearingRequest(FormPage):
    slug = "hearing-request"
    template = "forms/hearing_request.html"
    fields = frozenset(
        {
            "basis",
            "deposit",
            "deposit_method",
            "deposit_reference",
            "waiver_declaration",
            "interpreter_language",
            "received_at",
            "late_reason",
        }
    )
    action = Action.RECEIVE_CONTEST

    def defaults(self, desk: Desk) -> Values:
        try:
            interpreter = contest_of(desk.session, desk.citation).interpreter_language or ""
        except InputRejected:
            interpreter = ""
        return {
            "basis": "deposit",
            "deposit": str(balance(desk.session, desk.citation)),
            "received_at": local_now(desk),
            "interpreter_language": interpreter,
        }

    def extra(self, desk: Desk) -> dict[str, Any]:
        try:
            stored = contest_of(desk.session, desk.citation).interpreter_language or ""
        except InputRejected:
            stored = ""
        return _methods(desk) | {"languages": language_choices(desk.profile, stored)}

    def act(self, desk: Desk, read: Parser) -> None:
        interpreter = read_language(read, "interpreter_language", desk.profile)
        basis = read.choice("basis", ("deposit", "waiver"), "choose the deposit or a waiver")
        deposit = read.money("deposit") if basis == "deposit" else None
        received = read.moment("received_at")
        read.need(basis)
        read.submit(
            lambda: request_hearing(
                desk.session,
                desk.citation.number,
                received_at=received or desk.now,
                actor=desk.actor,
                now=desk.now,
                deposit=deposit,
                deposit_method=read.optional("deposit_method") if basis == "deposit" else None,
                deposit_reference=read.optional("deposit_reference")
                if basis == "deposit"
                else None,
                waiver_declaration=read.optional("waiver_declaration")
                if basis == "waiver"
                else None,
                interpreter_language=interpreter,
                late_reason=read.optional("late_reason"),
            )
        )


class Waiver(FormPage):
    slug = "waiver"
    template = "forms/waiver.html"
    fields = frozenset({"decision", "reason"})
    action = Action.DECIDE_WAIVER

    def extra(self, desk: Desk) -> dict[str, Any]:
        try:
            declaration = contest_of(desk.session, desk.citation).waiver_declaration
        except InputRejected:
            declaration = None
        return {"declaration": declaration}

    def act(self, desk: Desk, read: Parser) -> None:
        decision = read.need(read.choice("decision", ("grant", "deny"), "choose to grant or deny"))
        read.submit(
            lambda: decide_waiver(
                desk.session,
                desk.citation.number,
                decision == "grant",
                read.text("reason"),
                actor=desk.actor,
                now=desk.now,
            )
        )


class Deposit(FormPage):
    slug = "deposit"
    template = "forms/deposit.html"
    fields = frozenset({"deposit", "method", "reference", "received_at"})
    action = Action.RECEIVE_CONTEST

    def defaults(self, desk: Desk) -> Values:
        return {
            "deposit": str(balance(desk.session, desk.citation)),
            "received_at": local_now(desk),
        }

    def extra(self, desk: Desk) -> dict[str, Any]:
        try:
            due_on = contest_summary(desk.session, desk.citation.number, desk.actor).deposit_due_on
        except InputRejected:
            due_on = None
        return {**_methods(desk), "due_on": due_on}

    def act(self, desk: Desk, read: Parser) -> None:
        amount = read.money("deposit", required=True)
        received = read.moment("received_at")
        # Read before `done()`: read after it, a refused value would go on without its
        # control characters and the deposit be recorded.
        method, reference = read.optional("method"), read.optional("reference")
        read.done()
        assert amount is not None  # required: done() refused a blank one
        pay_deposit(
            desk.session,
            desk.citation.number,
            amount,
            received_at=received or desk.now,
            actor=desk.actor,
            now=desk.now,
            method=method,
            reference=reference,
        )


PAGES: list[FormPage] = [ReviewRequest(), ReviewDecision(), HearingRequest(), Waiver(), Deposit()]
