"""The same signed callback sent by many workers at once (real PostgreSQL, a connection
each, released together at a barrier) posts one payment: one Payment row, one ledger entry,
one receipt; every other callback is counted as a repeat, and none fails."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from citations.audit import AuditEvent
from citations.database import make_engine, transaction
from citations.online.payments import receive_callback
from citations.online.providers import Outcome
from citations.payments.tables import Payment
from citations.record.ledger import LedgerEntry
from citations.record.tables import SentDocument
from tests.factories import prepare
from tests.hearing_steps import at, issue_one
from tests.money_steps import state
from tests.test_online_payments import PROVIDER, provider_payment, signed, start

WORKERS = 12


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the race is proven on PostgreSQL; SQLite serializes writers itself")
    prepare(engine)
    return engine


def send_all_at_once(database_url: str, headers: dict[str, str], body: bytes) -> list[Any]:
    """Each worker sends the callback in a transaction of its own; returns each outcome, or
    the exception it raised (which fails the test: it would be a 500)."""
    barrier = threading.Barrier(WORKERS)
    outcomes: list[Any] = [None] * WORKERS
    now = at("2026-11-25", 11)

    def worker(index: int) -> None:
        own = make_engine(database_url)
        try:
            barrier.wait()
            with transaction(own) as session:
                outcomes[index] = receive_callback(
                    session, PROVIDER, headers, body, now=now
                ).outcome
        except BaseException as exc:
            outcomes[index] = exc
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_parallel_repeated_callbacks_post_one_payment(pg: Engine, database_url: str) -> None:
    number = issue_one(pg)
    started = start(pg, number, "part", amount="75.00")
    headers, body = signed(started.reference, Outcome.PAID, 7500, now=at("2026-11-25", 11))
    outcomes = send_all_at_once(database_url, headers, body)
    assert sorted(outcomes) == ["duplicate"] * (WORKERS - 1) + ["posted"]
    with transaction(pg) as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
        kinds = session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)).all()
        assert list(kinds) == ["fine_assessed", "payment"]
        receipts = session.scalar(
            select(func.count()).select_from(SentDocument).where(SentDocument.kind == "receipt")
        )
        assert receipts == 1
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("online_payment.%"))
        ).all()
        assert sorted(actions) == sorted(
            ["online_payment.started", "online_payment.paid"]
            + ["online_payment.callback_repeated"] * (WORKERS - 1)
        )
    row = provider_payment(pg, started.reference)
    assert (row.status, row.callbacks) == ("paid", WORKERS)
    assert state(pg, number)[:2] == ("issued", Decimal("125.00"))


def test_parallel_callbacks_of_two_payments_for_the_whole_balance(
    pg: Engine, database_url: str
) -> None:
    """Two checkouts for the whole balance, both paid, their callbacks at the same moment:
    one posts, the other is kept for a clerk to refund."""
    number = issue_one(pg)
    first, second = start(pg, number), start(pg, number)
    now = at("2026-11-25", 11)
    sends = [signed(s.reference, Outcome.PAID, 20000, now=now) for s in (first, second)]
    barrier = threading.Barrier(len(sends) * 3)
    outcomes: list[Any] = []

    def worker(headers: dict[str, str], body: bytes) -> None:
        own = make_engine(database_url)
        try:
            barrier.wait()
            with transaction(own) as session:
                outcomes.append(receive_callback(session, PROVIDER, headers, body, now=now).outcome)
        except BaseException as exc:
            outcomes.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker, args=pair) for pair in sends * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["duplicate"] * 4 + ["posted", "refused"]
    statuses = sorted(provider_payment(pg, s.reference).status for s in (first, second))
    assert statuses == ["paid", "refused"]
    assert state(pg, number)[:2] == ("paid", Decimal("0.00"))
