"""The same intake message arriving from several workers at once makes one citation, and every
worker gets the same result (real PostgreSQL: the race on the unique message_id)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select

from citations.database import make_engine, transaction
from citations.issuing.intake import IntakeMessage
from citations.issuing.pipeline import IntakeResult, issue_once
from citations.record.tables import Citation, IntakeRecord
from citations.roles import OPERATOR
from tests.conftest import NOW
from tests.factories import message, prepare

WORKERS = 6


def test_parallel_intake_of_one_message_creates_one_citation(
    engine: Engine, database_url: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the race is proven on PostgreSQL, where workers write in parallel")
    prepare(engine)
    body = IntakeMessage.model_validate(message())
    barrier = threading.Barrier(WORKERS)
    results: list[IntakeResult] = []
    failures: list[BaseException] = []

    def worker() -> None:
        own = make_engine(database_url)
        try:
            barrier.wait()
            results.append(issue_once(own, body, actor=OPERATOR, now=NOW).result)
        except BaseException as exc:
            failures.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(results) == WORKERS
    assert all(result == results[0] for result in results)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Citation)) == 1
        assert session.scalar(select(func.count()).select_from(IntakeRecord)) == 1
