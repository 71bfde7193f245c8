"""Steps on one citation at the same moment are applied one after another (real PostgreSQL).

Each worker has a connection of its own and starts at a barrier; every step that changes a
citation takes its row lock first and checks its status under it, so of two steps that cannot
both happen one is refused (409, a domain error), and none fails with a database error.
SQLite serializes writers itself (BEGIN IMMEDIATE), so the races are proven on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.audit import AuditEvent
from citations.database import make_engine, transaction
from citations.errors import (
    CitationsError,
    IdempotencyConflict,
    IllegalTransition,
    InputRejected,
)
from citations.hearings.contests import decide_waiver, pay_deposit
from citations.hearings.decisions import Outcome
from citations.hearings.scheduling import decide_hearing, record_no_show, schedule_hearing
from citations.hearings.tables import Contest, Hearing, Order
from citations.issuing.amend import Amendment, amend_citation
from citations.issuing.void import void_citation
from citations.money import from_cents
from citations.payments.posting import PaymentRequest, record_payment
from citations.payments.processing import process
from citations.payments.tables import Payment
from citations.record.ledger import balance, entries, paid, signed_amount
from citations.record.lookup import find_citation
from citations.record.tables import CitationRevision
from citations.roles import OPERATOR, Actor, Role
from tests.factories import message, prepare, send, subject
from tests.hearing_steps import CLERK, ISSUED_AT, at, issue_one, officer_with_session, to_ready
from tests.money_steps import ADMIN, CASHIER

WORKERS = 10
JUDGE = Actor("judge Fair", Role.HEARING_OFFICER)
REPEATER = subject(first_name="Rita", identifiers=[])
"""Cited on 2026-11-10 in the test below: her citation of 2026-11-20 is a second offense."""
Step = Callable[[Session], Any]


def race(database_url: str, steps: list[Step]) -> list[tuple[str, Any]]:
    """Run each step in a transaction of its own, all released at once; returns each step's
    ("done", result) or ("refused", error). Any other error fails the test: it would be a 500."""
    barrier = threading.Barrier(len(steps))
    outcomes: list[tuple[str, Any]] = [("missing", None)] * len(steps)

    def worker(index: int, step: Step) -> None:
        own = make_engine(database_url)  # each worker on a connection of its own
        try:
            barrier.wait()
            with transaction(own) as session:
                result = step(session)
            outcomes[index] = ("done", result)
        except CitationsError as exc:
            outcomes[index] = ("refused", exc)
        except BaseException as exc:  # reported below with its class: a 500
            outcomes[index] = ("crashed", f"{type(exc).__name__}: {exc}")
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    crashed = [o for o in outcomes if o[0] in ("crashed", "missing")]
    assert crashed == [], crashed
    return outcomes


def done(outcomes: list[tuple[str, Any]]) -> int:
    return sum(1 for kind, _ in outcomes if kind == "done")


def refusals(outcomes: list[tuple[str, Any]]) -> set[type[BaseException]]:
    return {type(value) for kind, value in outcomes if kind == "refused"}


def audit_count(session: Session, number: str, action: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_key == number, AuditEvent.action == action)
        )
        or 0
    )


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the races are proven on PostgreSQL; SQLite serializes writers itself")
    prepare(engine)
    return engine


def void(session: Session, number: str) -> Any:
    return void_citation(session, number, "issued in error", actor=OPERATOR, now=at("2026-11-25"))


def payment(
    session: Session, number: str, amount: str, key: str | None = None, day: str = "2026-11-25"
) -> tuple[Any, bool]:
    request = PaymentRequest(amount=Decimal(amount), method="card")
    return record_payment(session, number, request, actor=CASHIER, now=at(day), idempotency_key=key)


def amend(session: Session, *, number: str, address: str, **changes: Any) -> Any:
    amendment = Amendment.model_validate(
        {"reason": "corrected", "location": {"address": address, "area": "Central"}, **changes}
    )
    return amend_citation(session, number, amendment, actor=OPERATOR, now=at("2026-11-25"))


def test_two_voids_void_once(pg: Engine, database_url: str) -> None:
    number = issue_one(pg)
    outcomes = race(database_url, [lambda s: void(s, number)] * WORKERS)
    assert done(outcomes) == 1
    assert refusals(outcomes) == {IllegalTransition}
    with transaction(pg) as session:
        citation = find_citation(session, number, OPERATOR)
        assert citation.status == "voided"
        assert [e.kind for e in entries(session, citation)] == ["fine_assessed", "void"]
        assert balance(session, citation) == 0
        assert audit_count(session, number, "citation.void") == 1


def test_void_and_payment_never_both(pg: Engine, database_url: str) -> None:
    number = issue_one(pg)
    steps: list[Step] = [lambda s: void(s, number)] * (WORKERS // 2)
    steps += [lambda s: payment(s, number, "20.00")] * (WORKERS - WORKERS // 2)
    outcomes = race(database_url, steps)
    assert refusals(outcomes) <= {IllegalTransition}
    with transaction(pg) as session:
        citation = find_citation(session, number, OPERATOR)
        kinds = [e.kind for e in entries(session, citation)]
        if citation.status == "voided":  # the void came first: no payment after it
            assert kinds == ["fine_assessed", "void"]
            assert done(outcomes) == 1
            assert balance(session, citation) == 0
        else:  # a payment came first: every void refused, every payment taken
            payments = WORKERS - WORKERS // 2
            assert kinds == ["fine_assessed"] + ["payment"] * payments
            assert done(outcomes) == payments
            assert balance(session, citation) == Decimal("200.00") - 20 * payments


def test_amendment_and_payment_in_full(pg: Engine, database_url: str) -> None:
    """An amendment that raises the fine (the person has a prior after all) against payments
    of the balance as it stood: no payment is taken against a stale fine, and no amendment
    changes the fine of a citation already paid."""
    send(pg, message(violation_at="2026-11-10T10:00:00-08:00", subject=REPEATER), now=ISSUED_AT)
    number = issue_one(pg, first_name="Ana", identifiers=[])
    steps: list[Step] = [
        lambda s: amend(s, number=number, address="200 Main St", subject=REPEATER)
    ] * (WORKERS // 2)
    steps += [lambda s: payment(s, number, "200.00")] * (WORKERS - WORKERS // 2)
    outcomes = race(database_url, steps)
    assert refusals(outcomes) <= {IllegalTransition, InputRejected}
    amended = done(outcomes[: WORKERS // 2])
    payments = done(outcomes) - amended
    with transaction(pg) as session:
        citation = find_citation(session, number, OPERATOR)
        owed = balance(session, citation)
        assert paid(session, citation) == 200 * payments
        assert owed == from_cents(citation.total_fine_cents) - paid(session, citation) >= 0
        assert (citation.status == "paid") == (owed == 0)
        assert citation.total_fine_cents == (40000 if amended else 20000)


def test_two_amendments_make_two_revisions(pg: Engine, database_url: str) -> None:
    number = issue_one(pg)
    steps: list[Step] = [
        partial(amend, number=number, address=f"{i} Side St") for i in range(WORKERS)
    ]
    outcomes = race(database_url, steps)
    assert done(outcomes) == WORKERS
    with transaction(pg) as session:
        citation = find_citation(session, number, OPERATOR)
        revisions = session.scalars(
            select(CitationRevision.revision)
            .where(CitationRevision.citation_id == citation.id)
            .order_by(CitationRevision.revision)
        ).all()
        assert list(revisions) == list(range(1, WORKERS + 2))
        assert citation.revision == WORKERS + 1
        assert audit_count(session, number, "citation.amend") == WORKERS
        assert len(citation.violations) == 1
        assert balance(session, citation) == Decimal("200.00")


def test_same_idempotency_key_at_once_gets_the_first_result(pg: Engine, database_url: str) -> None:
    number = issue_one(pg)
    outcomes = race(database_url, [lambda s: payment(s, number, "50.00", "key-1")] * WORKERS)
    assert done(outcomes) == WORKERS
    results = [value for _, value in outcomes]
    assert len({result.receipt_number for result, _ in results}) == 1
    assert sorted(replayed for _, replayed in results) == [False] + [True] * (WORKERS - 1)
    with transaction(pg) as session:
        citation = find_citation(session, number, OPERATOR)
        assert [e.kind for e in entries(session, citation)] == ["fine_assessed", "payment"]
        assert balance(session, citation) == Decimal("150.00")


def test_same_key_for_two_citations_at_once_is_a_conflict(pg: Engine, database_url: str) -> None:
    """Another body (another citation) with a key being used: 409, whoever came first."""
    numbers = [issue_one(pg, first_name=name, identifiers=[]) for name in ("Ana", "Bea")]
    steps: list[Step] = [
        partial(payment, number=numbers[i % 2], amount="50.00", key="key-2") for i in range(WORKERS)
    ]
    outcomes = race(database_url, steps)
    assert refusals(outcomes) == {IdempotencyConflict}
    with transaction(pg) as session:
        payments = session.scalars(select(Payment).where(Payment.idempotency_key == "key-2")).all()
        assert len(payments) == 1
        winner = payments[0].citation.number
    receipts = {value[0].receipt_number for kind, value in outcomes if kind == "done"}
    assert receipts == {payments[0].receipt_number}
    assert done(outcomes) == WORKERS // 2  # every request for the winner's citation
    assert all(
        kind == "done"
        for (kind, _), i in zip(outcomes, range(WORKERS), strict=True)
        if numbers[i % 2] == winner
    )


@pytest.mark.clock(datetime(2026, 12, 16, 20, 0, tzinfo=UTC))  # the hearing day, at noon
def test_hearing_decision_and_no_show_never_both(pg: Engine, database_url: str) -> None:
    number = issue_one(pg)
    to_ready(pg, number)
    officer_with_session(pg, "Judge Fair", date(2026, 12, 16))
    with transaction(pg) as session:
        schedule_hearing(session, number, actor=CLERK, now=at("2026-12-04"))
    after = at("2026-12-16", 12)
    steps: list[Step] = [
        lambda s: decide_hearing(
            s,
            number,
            Outcome.DISMISSED,
            "The can held soda, as the photo shows.",
            actor=JUDGE,
            now=after,
        )
    ] * (WORKERS // 2)
    steps += [lambda s: record_no_show(s, number, actor=JUDGE, now=after)] * (
        WORKERS - WORKERS // 2
    )
    outcomes = race(database_url, steps)
    assert done(outcomes) == 1
    assert refusals(outcomes) == {IllegalTransition}
    with transaction(pg) as session:
        citation = find_citation(session, number, OPERATOR)
        orders = session.scalars(select(Order).where(Order.citation_id == citation.id)).all()
        hearing_orders = [o.outcome for o in orders if o.tier == "hearing"]
        assert len(hearing_orders) == 1
        hearing = session.scalars(select(Hearing)).one()
        kinds = [e.kind for e in entries(session, citation)]
        if hearing_orders == ["dismissed"]:
            assert (citation.status, hearing.status) == ("dismissed", "held")
            assert kinds.count("refund") == 1
            assert balance(session, citation) == 0
        else:
            assert (citation.status, hearing.status) == ("paid", "no_show")
            assert "refund" not in kinds and "dismissal" not in kinds
            assert balance(session, citation) == 0


def test_waiver_decision_and_deposit(pg: Engine, database_url: str) -> None:
    """A waiver is decided once; a deposit is taken only after a refusal, and only once."""
    number = issue_one(pg)
    to_ready(pg, number, deposit=False)
    now = at("2026-12-04")
    steps: list[Step] = [
        partial(
            decide_waiver,
            number=number,
            granted=granted,
            reason="CalFresh card seen",
            actor=CLERK,
            now=now,
        )
        for granted in (False, True, False, True, False)
    ]
    steps += [
        lambda s: pay_deposit(
            s, number, Decimal("200.00"), received_at=now, actor=CLERK, now=now, method="card"
        )
    ] * (WORKERS - len(steps))
    outcomes = race(database_url, steps)
    assert refusals(outcomes) <= {InputRejected}
    with transaction(pg) as session:
        citation = find_citation(session, number, OPERATOR)
        contest = session.scalars(select(Contest).where(Contest.citation_id == citation.id)).one()
        assert audit_count(session, number, "contest.waiver_decided") == 1
        deposits = [e.kind for e in entries(session, citation)].count("deposit")
        if contest.deposit_status == "waived":
            assert deposits == 0 and done(outcomes) == 1
        else:
            assert contest.deposit_status in ("waiver_denied", "paid")
            assert deposits == (1 if contest.deposit_status == "paid" else 0)
            assert done(outcomes) == 1 + deposits
        assert balance(session, citation) == Decimal("200.00") - 200 * deposits


@pytest.mark.clock(datetime(2026, 12, 26, 18, 0, tzinfo=UTC))
def test_daily_processing_and_payments_in_full(pg: Engine, database_url: str) -> None:
    """Daily processing never adds a late penalty to a citation a payment has just paid, and
    never waits for one a payment holds (it leaves it to its next run): no deadlock."""
    numbers = [issue_one(pg, first_name=f"Late{i}", identifiers=[]) for i in range(3)]
    today = at("2026-12-26")
    steps: list[Step] = [lambda s: process(s, as_of=date(2026, 12, 26), actor=ADMIN, now=today)] + [
        partial(payment, number=numbers[i % 3], amount="200.00", day="2026-12-26")
        for i in range(WORKERS - 1)
    ]
    outcomes = race(database_url, steps)
    assert refusals(outcomes) <= {IllegalTransition, InputRejected}
    with transaction(pg) as session:
        for number in numbers:
            citation = find_citation(session, number, OPERATOR)
            running = Decimal(0)
            for entry in entries(session, citation):
                assert running > 0 or entry.kind == "fine_assessed", "an entry after paid in full"
                running += signed_amount(entry)
            assert running == balance(session, citation) >= 0
            assert (citation.status == "paid") == (running == 0)
