"""Two clerks scheduling at the same moment never overbook a session (real PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, time

import pytest
from sqlalchemy import Engine, func, select

from citations.database import make_engine, transaction
from citations.errors import InputRejected
from citations.hearings.officers import add_availability
from citations.hearings.scheduling import NoSessionAvailable, schedule_hearing
from citations.hearings.tables import DocketSession, Hearing
from tests.factories import prepare
from tests.hearing_steps import CLERK, at, issue_one, officer_with_session, to_ready

WORKERS = 8
CAPACITY = 3


def test_parallel_scheduling_never_overbooks(engine: Engine, database_url: str) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the race is proven on PostgreSQL, where clerks work in parallel")
    prepare(engine)
    numbers = [issue_one(engine, first_name=f"Person{i}", identifiers=[]) for i in range(WORKERS)]
    for number in numbers:
        to_ready(engine, number)
    _, session_id = officer_with_session(
        engine, "Judge Fair", date(2026, 12, 16), capacity=CAPACITY
    )
    barrier = threading.Barrier(WORKERS)
    outcomes: dict[str, str] = {}

    def clerk(number: str) -> None:
        worker_engine = make_engine(database_url)  # each clerk on a connection of their own
        try:
            barrier.wait()
            with transaction(worker_engine) as session:
                schedule_hearing(
                    session, number, actor=CLERK, now=at("2026-12-04"), session_id=None
                )
            outcomes[number] = "scheduled"
        except NoSessionAvailable:
            outcomes[number] = "no room"
        finally:
            worker_engine.dispose()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (
        sorted(outcomes.values()) == ["no room"] * (WORKERS - CAPACITY) + ["scheduled"] * CAPACITY
    )
    with transaction(engine) as session:
        docket = session.get(DocketSession, session_id)
        assert docket is not None and docket.booked == CAPACITY
        scheduled = session.scalar(
            select(func.count()).select_from(Hearing).where(Hearing.session_id == session_id)
        )
        assert scheduled == CAPACITY
        positions = sorted(session.scalars(select(Hearing.position)))
        assert positions == list(range(1, CAPACITY + 1))


def test_the_same_window_added_at_once_is_added_once(engine: Engine, database_url: str) -> None:
    """Ten clerks add the same availability window at the same moment: one is added, the
    others are told it exists (a form error), and none meets the table's unique key."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the race is proven on PostgreSQL, where clerks work in parallel")
    prepare(engine)
    officer_id, _ = officer_with_session(engine, "Judge Fair", date(2026, 12, 16))
    workers = 10
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []

    def clerk() -> None:
        worker_engine = make_engine(database_url)
        try:
            barrier.wait()
            with transaction(worker_engine) as session:
                add_availability(
                    session,
                    officer_id,
                    date(2026, 12, 17),
                    time(8, 0),
                    time(12, 0),
                    actor=CLERK,
                    now=at("2026-12-04"),
                )
            outcomes.append("added")
        except InputRejected as refused:
            outcomes.append(refused.errors[0].message)
        except Exception as other:  # a database error is the defect this test is about
            outcomes.append(type(other).__name__)
        finally:
            worker_engine.dispose()

    threads = [threading.Thread(target=clerk) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["a window on 2026-12-17 already starts at 08:00"] * (
        workers - 1
    ) + ["added"]
