"""Daily processing a chunk per transaction: the same result as one transaction, and a
payment on a citation processed in an earlier chunk goes through while the run goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from citations.audit import lane_of
from citations.database import transaction
from citations.errors import InputRejected
from citations.payments import processing
from citations.payments.kept import keep_late_notice
from citations.payments.posting import PaymentRequest, record_payment
from citations.payments.processing import ProcessReport, process, process_in_chunks
from citations.record.chunks import Window, in_chunks
from tests.factories import prepare
from tests.money_steps import ADMIN, CASHIER, at, issue_one, pay, state


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def commits(engine: Engine) -> list[int]:
    """A list that grows by one at each commit on `engine`."""
    counted: list[int] = []
    event.listen(engine, "commit", lambda _: counted.append(1))
    return counted


def outcome(report: ProcessReport) -> list[list[str]]:
    return [
        report.mailed,
        report.plans_defaulted,
        report.service_failed,
        report.diversion_failed,
        report.delinquent,
        report.referred,
    ]


@pytest.mark.parametrize("chunk", [1, 2, 3, 50])
def test_chunks_decide_what_one_transaction_decides(ready: Engine, chunk: int) -> None:
    numbers = [issue_one(ready, first_name=f"Late{i}", identifiers=[]) for i in range(7)]
    paid = {numbers[1], numbers[4]}
    for number in paid:
        pay(ready, number, "200.00", when="2026-12-01")
    unpaid = [n for n in numbers if n not in paid]
    counted = commits(ready)
    late = process_in_chunks(
        ready, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26"), chunk=chunk
    )
    assert outcome(late) == [[], [], [], [], unpaid, []]
    # the start, then per step: the chunks it filled, and the one that found it had read all
    steps, full_chunks = 6, len(unpaid) // chunk
    assert len(counted) == 1 + steps + full_chunks
    for number in unpaid:
        assert state(ready, number)[:2] == ("delinquent", Decimal("250.00"))
    again = process_in_chunks(ready, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26"))
    assert outcome(again) == [[]] * 6
    referred = process_in_chunks(
        ready, as_of=date(2027, 3, 24), actor=ADMIN, now=at("2027-03-24"), chunk=chunk
    )
    assert outcome(referred) == [[], [], [], [], [], unpaid]
    for number in unpaid:
        assert state(ready, number)[:2] == ("in_collections", Decimal("300.00"))
    with transaction(ready) as session:
        whole = process(session, as_of=date(2027, 3, 24), actor=ADMIN, now=at("2027-03-24"))
    assert outcome(whole) == [[]] * 6


def test_processing_in_chunks_checks_the_day_before_anything(ready: Engine) -> None:
    with pytest.raises(InputRejected, match="daily processing"):
        process_in_chunks(ready, as_of=date(2026, 12, 27), actor=ADMIN, now=at("2026-12-26"))
    assert state(ready, issue_one(ready))[0] == "issued"


def test_a_step_that_never_moves_its_window_is_stopped(ready: Engine) -> None:
    def stuck(session: Any, window: Window) -> list[str]:
        return []  # read a full chunk, but said nothing of it

    with pytest.raises(RuntimeError, match="stuck read a chunk without moving its window"):
        in_chunks(ready, stuck, 5)


def paused_at_third_late_notice(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """(reached, release): processing stops before the third late notice until released."""
    reached, release = threading.Event(), threading.Event()
    calls: list[int] = []
    keep = keep_late_notice

    def keep_then_wait(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            reached.set()
            assert release.wait(60), "the test never released processing"
        return keep(*args, **kwargs)

    monkeypatch.setattr(processing, "keep_late_notice", keep_then_wait)
    return reached, release


def whole(engine: Engine) -> None:
    with transaction(engine) as session:
        process(session, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26"))


def chunked(engine: Engine) -> None:
    process_in_chunks(engine, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26"), chunk=2)


@pytest.mark.parametrize(
    ("run", "waits"), [(chunked, False), (whole, True)], ids=["chunked", "whole"]
)
def test_a_payment_does_not_wait_for_the_rest_of_the_run(
    ready: Engine, monkeypatch: pytest.MonkeyPatch, run: Callable[[Engine], None], waits: bool
) -> None:
    if ready.dialect.name != "postgresql":
        pytest.skip("row locks and their waits are PostgreSQL's; SQLite has one writer")
    numbers = [issue_one(ready, first_name=f"Late{i}", identifiers=[]) for i in range(4)]
    # The first chunk's citation and the second chunk's audit lane are not the same lane, so
    # only the run's own locks can make the payment wait.
    assert lane_of("citation", numbers[0], 16) != lane_of("citation", numbers[2], 16)
    reached, release = paused_at_third_late_notice(monkeypatch)
    failed: list[BaseException] = []

    def go() -> None:
        try:
            run(ready)
        except BaseException as error:  # reported by the test below
            failed.append(error)
            reached.set()

    runner = threading.Thread(target=go)
    runner.start()
    try:
        assert reached.wait(60) and not failed, failed
        paying, timed_out = None, False
        try:
            with transaction(ready) as session:
                session.execute(text("SET LOCAL lock_timeout = '2s'"))
                request = PaymentRequest(amount=Decimal("250.00"), method="card")
                paying = record_payment(
                    session, numbers[0], request, actor=CASHIER, now=at("2026-12-26", 13)
                )
        except OperationalError as error:
            timed_out = "lock timeout" in str(error)
    finally:
        release.set()
        runner.join(60)
    assert not failed, failed
    assert (paying is None, timed_out) == (waits, waits)
    if not waits:
        assert state(ready, numbers[0])[:2] == ("paid", Decimal("0.00"))
    for number in numbers[1:]:
        assert state(ready, number)[0] == "delinquent"
