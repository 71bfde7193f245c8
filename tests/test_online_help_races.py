"""Requests sent at the same moment (a person's double tap, two clerks answering one
request) are taken once (real PostgreSQL, parallel workers)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from citations.database import make_engine, transaction
from citations.errors import IllegalTransition, InputRejected
from citations.online.help import ask_ability_to_pay, ask_for_plan, grant_ability_to_pay
from citations.payments.ability import Declaration
from citations.payments.tables import AbilityRequest, PaymentPlan
from citations.record.person import PersonRequest
from citations.roles import Actor, Role, cited_person
from tests.factories import prepare
from tests.money_steps import at, issue_one, state

WORKERS = 6
ABOVE = Declaration(household_size=3, monthly_income=Decimal("2776.05"), sworn=True)
WHEN = at("2026-11-25")


def in_parallel(database_url: str, step: Callable[[Session, int], object]) -> list[str]:
    """Run `step` in WORKERS threads, each on its own connection, released together."""
    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []

    def worker(index: int) -> None:
        engine = make_engine(database_url)
        try:
            barrier.wait()
            with transaction(engine) as session:
                step(session, index)
            outcomes.append("done")
        except InputRejected as exc:
            outcomes.append(exc.summary)
        except IllegalTransition:
            outcomes.append("not open")
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.fixture
def racing(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the race is proven on PostgreSQL, where requests arrive in parallel")
    prepare(engine)
    return engine


def test_a_double_tap_sends_one_request_and_starts_one_plan(
    racing: Engine, database_url: str
) -> None:
    asked, planned = issue_one(racing), issue_one(racing)
    outcomes = in_parallel(
        database_url,
        lambda s, _: ask_ability_to_pay(s, asked, ABOVE, "", actor=cited_person(asked), now=WHEN),
    )
    assert outcomes == ["already asked"] * (WORKERS - 1) + ["done"]
    outcomes = in_parallel(
        database_url,
        lambda s, _: ask_for_plan(s, planned, 4, actor=cited_person(planned), now=WHEN),
    )
    assert outcomes.count("done") == 1
    with transaction(racing) as session:
        assert session.scalar(select(func.count()).select_from(PersonRequest)) == 1
        assert session.scalar(select(func.count()).select_from(PaymentPlan)) == 1


def test_clerks_granting_one_request_at_once_decide_it_once(
    racing: Engine, database_url: str
) -> None:
    number = issue_one(racing)
    with transaction(racing) as session:
        request = ask_ability_to_pay(
            session, number, ABOVE, "", actor=cited_person(number), now=WHEN
        ).request
        assert request is not None
        request_id = request.id

    def grant(session: Session, index: int) -> object:
        clerk = Actor(f"clerk {index}", Role.CLERK)
        return grant_ability_to_pay(
            session, request_id, "Granted: hours cut this month.", actor=clerk, now=WHEN
        )

    outcomes = in_parallel(database_url, grant)
    assert outcomes.count("done") == 1
    with transaction(racing) as session:
        assert session.scalar(select(func.count()).select_from(AbilityRequest)) == 1
    assert state(racing, number)[1] == Decimal("40.00")
