"""Money invariants: the balance is always the sum of the ledger and never goes below zero,
whatever payments, reversals and decisions happen; parallel payments on PostgreSQL too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from citations.database import make_engine, transaction
from citations.errors import IllegalTransition, InputRejected
from citations.payments.posting import PaymentRequest, record_payment, reverse_payment
from citations.record.ledger import CHARGES, balance, entries
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from tests.databases import Databases
from tests.factories import prepare
from tests.money_steps import CASHIER, at, issue_one

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250.00"), places=2)
steps = st.lists(st.tuples(st.sampled_from(["pay", "reverse"]), amounts), max_size=12)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Engine]:
    """One SQLite database for every generated example (each example gets a new citation)."""
    path: Path = tmp_path_factory.mktemp("money") / "money.db"
    engine = make_engine(databases.sqlite_copy(path))
    prepare(engine)
    yield engine
    engine.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_balance_is_the_ledger_sum_and_never_negative(
    shared: Engine, steps: list[tuple[str, Decimal]]
) -> None:
    number = issue_one(shared)
    receipts: list[str] = []
    for action, amount in steps:
        with transaction(shared) as session:
            try:
                if action == "pay":
                    result, _ = record_payment(
                        session,
                        number,
                        PaymentRequest(amount=amount, method="card"),
                        actor=CASHIER,
                        now=at("2026-11-25"),
                    )
                    receipts.append(result.receipt_number)
                elif receipts:
                    reverse_payment(
                        session, receipts.pop(), "returned", actor=CASHIER, now=at("2026-11-26")
                    )
            except (InputRejected, IllegalTransition):
                pass  # refused steps must leave everything as it was
        with transaction(shared) as session:
            citation = find_citation(session, number, OPERATOR)
            signed = sum(
                (
                    Decimal(e.amount_cents) / 100 * (1 if e.kind in CHARGES else -1)
                    for e in entries(session, citation)
                ),
                Decimal("0.00"),
            )
            owed = balance(session, citation)
            assert owed == signed
            assert owed >= 0
            assert (owed == 0) == (citation.status == "paid")


WORKERS = 8


def test_parallel_payments_never_take_the_balance_below_zero(
    engine: Engine, database_url: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the race is proven on PostgreSQL, where payments post in parallel")
    prepare(engine)
    number = issue_one(engine)  # 200.00 owed
    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []

    def cashier() -> None:
        worker = make_engine(database_url)
        try:
            barrier.wait()
            with transaction(worker) as session:
                record_payment(
                    session,
                    number,
                    PaymentRequest(amount=Decimal("60.00"), method="card"),
                    actor=CASHIER,
                    now=at("2026-11-25"),
                )
            outcomes.append("posted")
        except (InputRejected, IllegalTransition):
            outcomes.append("refused")
        finally:
            worker.dispose()

    threads = [threading.Thread(target=cashier) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["posted"] * 3 + ["refused"] * (WORKERS - 3)
    with transaction(engine) as session:
        assert balance(session, find_citation(session, number, OPERATOR)) == Decimal("20.00")
