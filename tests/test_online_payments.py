"""Paying online through the test provider (both backends): the whole flow, repeated
callbacks, declines and cancels, bad signatures, amounts, installments, deposits, a hearing
request with its deposit, and money a citation could no longer take."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import NotFound
from citations.hearings.contests import contest_of, decide_waiver, request_hearing
from citations.online.payments import (
    Completion,
    NotOpen,
    Purpose,
    Started,
    complete_online_payment,
    online_payment,
    payment_options,
    receipt_of,
    receive_callback,
    refused_online_payments,
    start_online_payment,
)
from citations.online.providers import BadSignature, CallbackEvent, Outcome, TestProvider
from citations.payments.plans import Installment, create_plan
from citations.payments.tables import Payment, PaymentPlan, ProviderPayment
from citations.record.ledger import LedgerEntry
from citations.record.lookup import find_citation
from citations.roles import OPERATOR, cited_person
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one, to_review_upheld
from tests.money_steps import CASHIER, pay, state

PROVIDER = TestProvider("test-secret-" + "x" * 20)
SITE = "https://citations.test-city.example"


# Steps (the race and page tests use them too) ------------------------------------------


def start(
    engine: Engine,
    number: str,
    purpose: str = "balance",
    *,
    day: str = "2026-11-25",
    amount: str | None = None,
    details: dict[str, Any] | None = None,
) -> Started:
    with transaction(engine) as session:
        return start_online_payment(
            session,
            number,
            purpose=purpose,
            amount=Decimal(amount) if amount else None,
            details=details,
            actor=cited_person(number),
            now=at(day),
            provider=PROVIDER,
            return_base=SITE,
        )


def signed(
    reference: str, outcome: Outcome, amount_cents: int, *, now: datetime
) -> tuple[dict[str, str], bytes]:
    return PROVIDER.callback(reference, outcome, amount_cents, "USD", now=now)


def callback(
    engine: Engine,
    started: Started,
    outcome: Outcome = Outcome.PAID,
    *,
    day: str = "2026-11-25",
    hour: int = 11,
    amount_cents: int | None = None,
) -> Completion:
    now = at(day, hour)
    cents = amount_cents if amount_cents is not None else int(started.amount * 100)
    headers, body = signed(started.reference, outcome, cents, now=now)
    with transaction(engine) as session:
        return receive_callback(session, PROVIDER, headers, body, now=now)


def provider_payment(engine: Engine, reference: str) -> ProviderPayment:
    with transaction(engine) as session:
        row = session.scalar(select(ProviderPayment).where(ProviderPayment.reference == reference))
        assert row is not None
        return row


def counts(engine: Engine) -> tuple[int, int]:
    """(payment rows, money-in ledger entries) in the whole database."""
    with transaction(engine) as session:
        payments = session.scalar(select(func.count()).select_from(Payment)) or 0
        entries = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.kind.in_(["payment", "deposit"]))
        )
        return payments, entries or 0


def audit_actions(engine: Engine, number: str) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.actor)
            .where(AuditEvent.entity_key == number, AuditEvent.action.like("online_payment.%"))
            .order_by(AuditEvent.id)
        )
        return [(action, actor) for action, actor in rows]


# Tests ----------------------------------------------------------------------------------


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


PERSON = "the cited person, online"


def test_paying_the_balance_through_the_test_provider(ready: Engine) -> None:
    number = issue_one(ready)
    started = start(ready, number)
    assert started.amount == Decimal("200.00")
    assert started.redirect_url == f"{SITE}/pay/test-provider/{started.reference}"
    assert len(started.reference) >= 24
    row = provider_payment(ready, started.reference)
    assert (row.status, row.purpose, row.amount_cents, row.callbacks) == (
        "started",
        "balance",
        20000,
        0,
    )
    done = callback(ready, started)
    assert done.outcome == "posted"
    assert state(ready, number)[:2] == ("paid", Decimal("0.00"))
    row = provider_payment(ready, started.reference)
    assert (row.status, row.callbacks, row.problem) == ("paid", 1, None)
    assert row.provider_payment_id == PROVIDER.payment_id(started.reference)
    with transaction(ready) as session:
        payment = session.get(Payment, row.payment_id)
        assert payment is not None
        assert (payment.method, payment.reference, payment.recorded_by, payment.source) == (
            "online",
            row.provider_payment_id,
            PERSON,
            "online:test",
        )
        assert payment.idempotency_key == f"test:{row.provider_payment_id}"
        receipt = receipt_of(session, row)
        assert receipt is not None and receipt.content.startswith(b"%PDF")
        assert receipt.about == f"receipt:{payment.receipt_number}"
    assert audit_actions(ready, number) == [
        ("online_payment.started", PERSON),
        ("online_payment.paid", PERSON),
    ]


def test_repeated_callbacks_post_one_payment(ready: Engine) -> None:
    number = issue_one(ready)
    started = start(ready, number, "part", amount="50.00")
    outcomes = [callback(ready, started, hour=11 + i).outcome for i in range(4)]
    assert outcomes == ["posted", "duplicate", "duplicate", "duplicate"]
    assert counts(ready) == (1, 1)
    assert state(ready, number)[:2] == ("issued", Decimal("150.00"))
    row = provider_payment(ready, started.reference)
    assert (row.status, row.callbacks) == ("paid", 4)
    # A late "declined" for a payment already paid changes nothing but the count.
    assert callback(ready, started, Outcome.DECLINED).outcome == "duplicate"
    assert provider_payment(ready, started.reference).status == "paid"
    assert [a for a, _ in audit_actions(ready, number)].count(
        "online_payment.callback_repeated"
    ) == 4


@pytest.mark.parametrize("outcome", [Outcome.DECLINED, Outcome.CANCELLED])
def test_a_declined_or_cancelled_payment_posts_nothing(ready: Engine, outcome: Outcome) -> None:
    number = issue_one(ready)
    started = start(ready, number)
    assert callback(ready, started, outcome).outcome == outcome.value
    assert callback(ready, started, outcome).outcome == "duplicate"
    row = provider_payment(ready, started.reference)
    assert (row.status, row.callbacks, row.payment_id) == (outcome.value, 2, None)
    assert counts(ready) == (0, 0)
    assert state(ready, number)[:2] == ("issued", Decimal("200.00"))
    # Tried again on the provider's page after a decline: the money that did move is posted.
    assert callback(ready, started, Outcome.PAID).outcome == "posted"
    assert state(ready, number)[:2] == ("paid", Decimal("0.00"))


def test_a_bad_signature_is_refused_before_anything_is_read(ready: Engine) -> None:
    number = issue_one(ready)
    started = start(ready, number)
    headers, body = signed(started.reference, Outcome.PAID, 20000, now=at("2026-11-25", 11))
    forged = TestProvider("another-secret-" + "y" * 20)
    cases = [
        (headers, body.replace(b"20000", b"20001")),
        (forged.callback(started.reference, Outcome.PAID, 20000, "USD", now=at("2026-11-25"))),
        ({}, body),
    ]
    for bad_headers, bad_body in cases:
        with transaction(ready) as session, pytest.raises(BadSignature):
            receive_callback(session, PROVIDER, bad_headers, bad_body, now=at("2026-11-25", 11))
    # Signed at 11:00 and sent again at 11:06: too old.
    with transaction(ready) as session, pytest.raises(BadSignature, match="seconds old"):
        receive_callback(
            session, PROVIDER, headers, body, now=at("2026-11-25", 11).replace(minute=6)
        )
    assert provider_payment(ready, started.reference).callbacks == 0
    assert counts(ready) == (0, 0)


def test_an_amount_above_the_balance_is_refused(ready: Engine) -> None:
    number = issue_one(ready)
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "part", amount="200.01")
    assert (raised.value.reason, raised.value.values["balance"]) == (
        "over_balance",
        Decimal("200.00"),
    )
    assert "200.01 is more than the balance of 200.00" in str(raised.value)
    for amount in (None, "0"):
        with pytest.raises(NotOpen) as raised:
            start(ready, number, "part", amount=amount)
        assert raised.value.reason == "no_amount"
    with transaction(ready) as session:
        assert session.scalar(select(func.count()).select_from(ProviderPayment)) == 0


def test_a_payment_the_provider_reports_for_another_amount_is_refused(ready: Engine) -> None:
    number = issue_one(ready)
    started = start(ready, number)
    assert callback(ready, started, amount_cents=100).outcome == "refused"
    row = provider_payment(ready, started.reference)
    assert row.status == "refused"
    assert row.problem is not None and "1.00 was paid, not the 200.00 asked" in row.problem
    assert counts(ready) == (0, 0)


def test_paying_the_next_installment_of_a_plan(ready: Engine) -> None:
    number = issue_one(ready)
    with transaction(ready) as session:
        create_plan(
            session,
            number,
            [
                Installment(due_on=date(2026, 12, 15), amount=Decimal("80.00")),
                Installment(due_on=date(2027, 1, 15), amount=Decimal("120.00")),
            ],
            actor=CLERK,
            now=at("2026-11-24"),
        )
    pay(ready, number, "30.00")  # at the counter: 50.00 of the first installment is left
    with transaction(ready) as session:
        options = payment_options(session, number, actor=cited_person(number), now=at("2026-11-25"))
    installment = options.choices[Purpose.INSTALLMENT]
    assert (installment.amount, installment.due_on) == (Decimal("50.00"), date(2026, 12, 15))
    started = start(ready, number, "installment")
    assert started.amount == Decimal("50.00")
    assert callback(ready, started).outcome == "posted"
    with transaction(ready) as session:
        plan = session.scalar(select(PaymentPlan))
        assert plan is not None
        assert [(i.amount_cents, i.paid_cents) for i in plan.installments] == [
            (8000, 8000),
            (12000, 0),
        ]
    assert start(ready, number, "installment", day="2026-11-26").amount == Decimal("120.00")


def test_an_installment_without_a_plan_is_not_open(ready: Engine) -> None:
    number = issue_one(ready)
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "installment")
    assert raised.value.reason == "no_plan"


def deposit_due(engine: Engine, number: str) -> None:
    """Review upheld, a hearing asked for with a waiver request, the waiver refused."""
    to_review_upheld(engine, number)
    with transaction(engine) as session:
        request_hearing(
            session,
            number,
            received_at=at("2026-12-03"),
            actor=CLERK,
            now=at("2026-12-03"),
            waiver_declaration="I declare under penalty of perjury that I cannot pay it.",
        )
    with transaction(engine) as session:
        decide_waiver(
            session, number, False, "Income above the line.", actor=CLERK, now=at("2026-12-04")
        )


def test_paying_the_hearing_deposit_after_a_refused_waiver(ready: Engine) -> None:
    number = issue_one(ready)
    deposit_due(ready, number)
    with transaction(ready) as session:
        due = contest_of(session, find_citation(session, number, OPERATOR)).deposit_due_on
    assert due is not None
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "balance", day="2026-12-05")
    assert raised.value.reason == "contested"
    started = start(ready, number, "deposit", day="2026-12-05")
    assert started.amount == Decimal("200.00")
    assert callback(ready, started, day="2026-12-05").outcome == "posted"
    with transaction(ready) as session:
        contest = contest_of(session, find_citation(session, number, OPERATOR))
        assert (contest.deposit_status, contest.stage) == ("paid", "ready")
        row = session.scalar(select(ProviderPayment))
        assert row is not None and row.payment_id is not None
        payment = session.get(Payment, row.payment_id)
        assert payment is not None and (payment.kind, payment.method) == ("deposit", "online")
        assert receipt_of(session, row) is not None
    late = due.isoformat()
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "deposit", day=late)
    assert raised.value.reason == "no_deposit"


def test_the_deposit_is_not_open_after_its_deadline(ready: Engine) -> None:
    number = issue_one(ready)
    deposit_due(ready, number)
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "deposit", day="2027-01-20")
    assert raised.value.reason == "deposit_late"
    assert isinstance(raised.value.values["deadline"], date)


def test_a_hearing_request_is_made_when_its_deposit_is_paid(ready: Engine) -> None:
    number = issue_one(ready)
    to_review_upheld(ready, number)
    details = {"hearing_mode": "in_person", "interpreter_language": "es", "accommodation": "Ramp"}
    started = start(ready, number, "hearing", day="2026-12-03", details=details)
    assert state(ready, number)[0] == "review_upheld"  # nothing happens before the money
    assert callback(ready, started, day="2026-12-03").outcome == "posted"
    with transaction(ready) as session:
        citation = find_citation(session, number, OPERATOR)
        contest = contest_of(session, citation)
        assert citation.status == "hearing_requested"
        assert (contest.hearing_mode, contest.interpreter_language, contest.accommodation) == (
            "in_person",
            "es",
            "Ramp",
        )
        assert (contest.deposit_status, contest.hearing_requested_at) == ("paid", at("2026-12-03"))


def test_a_hearing_is_refused_plainly_when_not_open(ready: Engine) -> None:
    number = issue_one(ready)
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "hearing", details={"hearing_mode": "in_person"})
    assert raised.value.reason == "hearing_closed"
    to_review_upheld(ready, number)
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "hearing", day="2026-12-03", details={"hearing_mode": "by_pigeon"})
    assert raised.value.reason == "hearing_mode"
    with pytest.raises(NotOpen) as raised:
        start(ready, number, "hearing", day="2027-02-01", details={})
    assert raised.value.reason == "hearing_late"


def test_a_citation_paid_meanwhile_keeps_the_money_for_a_clerk(ready: Engine) -> None:
    number = issue_one(ready)
    started = start(ready, number)
    pay(ready, number, "200.00", method="cash")  # at the counter, while the person was paying
    done = callback(ready, started)
    assert done.outcome == "refused"
    row = provider_payment(ready, started.reference)
    assert row.status == "refused" and row.payment_id is None
    assert row.problem is not None
    assert "is paid: cannot take a payment" in row.problem and "Refund it" in row.problem
    assert row.provider_payment_id == PROVIDER.payment_id(started.reference)
    assert counts(ready) == (1, 1)  # only the counter's payment
    assert callback(ready, started).outcome == "duplicate"
    with transaction(ready) as session:
        waiting = refused_online_payments(session, actor=CASHIER)
        assert [p.reference for p in waiting] == [started.reference]
    assert ("online_payment.refused", PERSON) in audit_actions(ready, number)


def test_an_amount_no_longer_owed_is_refused_for_a_clerk(ready: Engine) -> None:
    number = issue_one(ready)
    started = start(ready, number)
    pay(ready, number, "10.00")  # the balance is now 190.00: 200.00 is more than it
    assert callback(ready, started).outcome == "refused"
    problem = provider_payment(ready, started.reference).problem
    assert problem is not None and "more than the balance" in problem
    assert state(ready, number)[:2] == ("issued", Decimal("190.00"))


def test_closed_and_contested_citations_say_why(ready: Engine) -> None:
    number = issue_one(ready)
    pay(ready, number, "200.00")
    with pytest.raises(NotOpen) as raised:
        start(ready, number)
    assert raised.value.reason == "closed"
    with transaction(ready) as session:
        options = payment_options(session, number, actor=cited_person(number), now=at("2026-11-26"))
    assert options.balance == Decimal("0.00")
    assert {p: c.not_open.reason for p, c in options.choices.items() if c.not_open} == {
        "balance": "closed",
        "part": "closed",
        "installment": "closed",
        "deposit": "no_deposit",
    }


def test_a_person_reaches_only_their_own_citation_and_payment(ready: Engine) -> None:
    mine = issue_one(ready, first_name="Ana", identifiers=[])
    theirs = issue_one(ready, first_name="Bea", identifiers=[])
    with transaction(ready) as session, pytest.raises(NotFound):
        start_online_payment(
            session,
            theirs,
            purpose="balance",
            actor=cited_person(mine),
            now=at("2026-11-25"),
            provider=PROVIDER,
            return_base=SITE,
        )
    started = start(ready, theirs)
    with transaction(ready) as session:
        assert online_payment(session, started.reference, actor=cited_person(theirs)).id
        with pytest.raises(NotFound):
            online_payment(session, started.reference, actor=cited_person(mine))
        with pytest.raises(NotFound):
            online_payment(session, "no-such-reference", actor=cited_person(theirs))


def test_a_callback_for_a_reference_we_never_made_is_ignored(ready: Engine) -> None:
    event = CallbackEvent("test", "not-ours", Outcome.PAID, "test-1", 100, "USD")
    with transaction(ready) as session:
        assert complete_online_payment(session, event, now=at("2026-11-25")).outcome == "ignored"
    assert counts(ready) == (0, 0)


def test_one_provider_payment_id_posts_only_once_even_for_two_references(ready: Engine) -> None:
    """A provider that named the same payment id for two of our payments: the second is kept
    for a clerk, never posted twice."""
    number = issue_one(ready)
    first = start(ready, number, "part", amount="20.00")
    second = start(ready, number, "part", amount="20.00")
    for started in (first, second):
        event = CallbackEvent("test", started.reference, Outcome.PAID, "test-same", 2000, "USD")
        with transaction(ready) as session:
            complete_online_payment(session, event, now=at("2026-11-25", 11))
    assert provider_payment(ready, first.reference).status == "paid"
    row = provider_payment(ready, second.reference)
    assert row.status == "refused" and row.problem is not None and first.reference in row.problem
    assert counts(ready) == (1, 1)
