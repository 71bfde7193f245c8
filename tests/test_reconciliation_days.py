"""Reconciliation groups money by the local day it was received, not the day it was posted:
a check received on 1 December and posted on the 4th is the 1st's money (both backends)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from citations.database import transaction
from citations.payments.drawers import close_drawer, open_drawer
from citations.payments.reconciliation import reconcile
from tests.factories import prepare
from tests.money_steps import CASHIER, at, issue_one, pay


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def report_days(engine: Engine, start: str, end: str) -> list[tuple[str, str, str, str]]:
    with transaction(engine) as session:
        report = reconcile(
            session, date.fromisoformat(start), date.fromisoformat(end), actor=CASHIER
        )
    assert report.matches
    return [(r.day.isoformat(), r.method, str(r.net), str(r.ledger_net)) for r in report.rows]


@pytest.mark.parametrize(
    ("received", "posted", "day"),
    [
        ("2026-12-01T10:00:00-08:00", "2026-12-04", "2026-12-01"),  # posted three days later
        ("2026-12-01T23:30:00-08:00", "2026-12-02", "2026-12-01"),  # the 2nd already in UTC
        ("2026-12-02T00:00:00-08:00", "2026-12-02", "2026-12-02"),  # the first instant
        (None, "2026-12-03", "2026-12-03"),  # received when posted
    ],
)
def test_a_payment_counts_on_the_day_it_was_received(
    ready: Engine, received: str | None, posted: str, day: str
) -> None:
    number = issue_one(ready)
    moment = None if received is None else datetime.fromisoformat(received)
    pay(ready, number, "42.00", method="check", when=posted, received_at=moment)
    assert report_days(ready, "2026-11-25", "2026-12-10") == [(day, "check", "42.00", "42.00")]
    assert report_days(ready, day, day) == [(day, "check", "42.00", "42.00")]
    others = [d for d in ("2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04") if d != day]
    for other in others:
        assert report_days(ready, other, other) == []


def test_received_on_the_1st_posted_on_the_4th_shows_under_the_1st(ready: Engine) -> None:
    one, two = issue_one(ready), issue_one(ready)
    pay(ready, one, "100.00", method="check", when="2026-12-04", received_at=at("2026-12-01"))
    pay(ready, two, "25.00", method="cash", when="2026-12-04")
    assert report_days(ready, "2026-12-01", "2026-12-04") == [
        ("2026-12-01", "check", "100.00", "100.00"),
        ("2026-12-04", "cash", "25.00", "25.00"),
    ]


def test_the_days_drawer_differences_are_in_the_reconciliation(ready: Engine) -> None:
    with transaction(ready) as session:
        open_drawer(session, Decimal("100.00"), actor=CASHIER, now=at("2026-12-01", 8))
        close_drawer(
            session, Decimal("97.50"), Decimal("0.00"), actor=CASHIER, now=at("2026-12-01", 17)
        )
        report = reconcile(session, date(2026, 12, 1), date(2026, 12, 1), actor=CASHIER)
    assert [(d.day.isoformat(), d.cashier, str(d.cash)) for d in report.drawer_differences] == [
        ("2026-12-01", CASHIER.name, "-2.50")
    ]
