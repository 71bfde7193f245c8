"""Payments, reversals, plans, lockbox files and reconciliation (both backends)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from citations.database import transaction
from citations.errors import IdempotencyConflict, IllegalTransition, InputRejected, PermissionDenied
from citations.hearings.contests import request_review
from citations.payments.lockbox import import_lockbox
from citations.payments.plans import Installment, create_plan
from citations.payments.posting import PaymentRequest, record_payment, reverse_payment
from citations.payments.processing import process
from citations.payments.reconciliation import reconcile
from citations.roles import Actor, Role
from tests.factories import prepare
from tests.hearing_steps import CLERK
from tests.money_steps import ADMIN, CASHIER, at, issue_one, pay, state


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def test_partial_then_full_payment_closes_the_citation(ready: Engine) -> None:
    number = issue_one(ready)
    first, _ = pay(ready, number, "50.00")
    assert (first.balance_before, first.balance_after, first.status_after) == (
        Decimal("200.00"),
        Decimal("150.00"),
        "issued",
    )
    assert first.receipt_number.startswith("R-")
    with pytest.raises(InputRejected) as raised:
        pay(ready, number, "150.01")
    assert raised.value.errors[0].message == (
        f"the balance of {number} is 150.00; a payment of 150.01 is more than it"
    )
    last, _ = pay(ready, number, "150.00", method="cash")
    assert (last.balance_after, last.status_after) == (Decimal("0.00"), "paid")
    assert state(ready, number)[:3] == ("paid", Decimal("0.00"), Decimal("200.00"))
    with pytest.raises(IllegalTransition, match="is paid: cannot take a payment"):
        pay(ready, number, "1.00")


def test_an_idempotency_key_replays_and_conflicts(ready: Engine) -> None:
    number = issue_one(ready)
    first, replayed = pay(ready, number, "20.00", key="k-1")
    again, replayed_again = pay(ready, number, "20.00", key="k-1")
    assert (replayed, replayed_again) == (False, True)
    assert again == first
    with pytest.raises(IdempotencyConflict, match="k-1"):
        pay(ready, number, "25.00", key="k-1")
    assert state(ready, number)[1] == Decimal("180.00")


def test_methods_roles_and_statuses(ready: Engine) -> None:
    number = issue_one(ready)
    with pytest.raises(InputRejected, match="'bitcoin' is not accepted"):
        pay(ready, number, "10.00", method="bitcoin")
    with transaction(ready) as session, pytest.raises(PermissionDenied, match="attorney"):
        record_payment(
            session,
            number,
            PaymentRequest(amount=Decimal(1), method="card"),
            actor=Actor("attorney", Role.ATTORNEY),
            now=at("2026-11-25"),
        )
    with transaction(ready) as session:
        request_review(
            session,
            number,
            "Contesting.",
            received_at=at("2026-11-25"),
            actor=CLERK,
            now=at("2026-11-25"),
        )
    with pytest.raises(IllegalTransition, match="is in review: cannot take a payment"):
        pay(ready, number, "10.00")


def test_a_returned_payment_reopens_the_balance(ready: Engine) -> None:
    number = issue_one(ready)
    paid_in_full, _ = pay(ready, number, "200.00", method="check")
    with transaction(ready) as session:
        returned = reverse_payment(
            session,
            paid_in_full.receipt_number,
            "Check returned NSF",
            actor=CASHIER,
            now=at("2026-12-15"),
        )
    assert (returned.kind, returned.balance_after, returned.status_after) == (
        "reversal",
        Decimal("200.00"),
        "delinquent",  # 2026-12-15 is past the 12-10 due date
    )
    with transaction(ready) as session, pytest.raises(InputRejected, match="already reversed"):
        reverse_payment(
            session, paid_in_full.receipt_number, "again", actor=CASHIER, now=at("2026-12-15")
        )
    assert state(ready, number)[3] == [
        ("fine_assessed", 20000),
        ("payment", 20000),
        ("reversal", 20000),
    ]


def test_a_payment_plan_and_its_default_at_the_grace_edge(ready: Engine) -> None:
    kept, missed = issue_one(ready), issue_one(ready)
    plan = [
        Installment(due_on=date(2026, 12, 15), amount=Decimal("100.00")),
        Installment(due_on=date(2027, 1, 15), amount=Decimal("100.00")),
    ]
    with transaction(ready) as session:
        with pytest.raises(InputRejected, match=r"add up to 100\.00, not the 200\.00 owed"):
            create_plan(session, kept, plan[:1], actor=CASHIER, now=at("2026-11-25"))
        with pytest.raises(InputRejected, match=r"at least 25\.00"):
            create_plan(
                session,
                kept,
                [
                    Installment(due_on=date(2026, 12, 1), amount=Decimal(10)),
                    Installment(due_on=date(2026, 12, 2), amount=Decimal(190)),
                ],
                actor=CASHIER,
                now=at("2026-11-25"),
            )
    for number in (kept, missed):
        with transaction(ready) as session:
            create_plan(session, number, plan, actor=CASHIER, now=at("2026-11-25"))
    pay(ready, kept, "100.00", when="2026-12-14")
    with transaction(ready) as session:  # 10 days' grace: the 25th is still fine
        assert (
            process(
                session, as_of=date(2026, 12, 25), actor=ADMIN, now=at("2026-12-25")
            ).plans_defaulted
            == []
        )
    with transaction(ready) as session:
        report = process(session, as_of=date(2026, 12, 26), actor=ADMIN, now=at("2026-12-26"))
        assert report.plans_defaulted == [missed]
    assert state(ready, missed)[0] == "delinquent"
    assert state(ready, kept)[0] == "on_plan"
    pay(ready, kept, "100.00", when="2027-01-10")
    assert state(ready, kept)[0] == "paid"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_lockbox_file_posts_each_line_once(ready: Engine, tmp_path: Path) -> None:
    one, two = issue_one(ready), issue_one(ready)
    path = write(
        tmp_path / "lockbox-2026-11-30.csv",
        [
            "batch_id,item,received_on,citation_number,amount,method,check_number,payer_name",
            f"B1,1,2026-11-27,{one},200.00,check,1001,Maria Lopez",
            f"B1,2,2026-11-27,{two},75.50,money_order,,",
            "B1,3,2026-11-27,DCPD-2026-999999-0,10.00,check,1003,Nobody",
            f"B1,4,2026-11-27,{two},500.00,check,1004,",
            f"B1,5,not-a-date,{two},5.00,check,1005,",
        ],
    )
    results = list(import_lockbox(ready, path, actor=CASHIER, clock=lambda: at("2026-11-30")))
    assert [(r.line, r.status) for r in results] == [
        (2, "posted"),
        (3, "posted"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
    ]
    assert results[2].message == "number: the check digit does not match (mistyped?)"
    assert results[3].message == (
        f"amount: the balance of {two} is 124.50; a payment of 500.00 is more than it"
    )
    again = list(import_lockbox(ready, path, actor=CASHIER, clock=lambda: at("2026-12-01")))
    assert [r.status for r in again[:2]] == ["replayed", "replayed"]
    assert state(ready, one)[0] == "paid"
    assert state(ready, two)[1] == Decimal("124.50")


def test_reconciliation_matches_the_ledger_to_the_cent(ready: Engine) -> None:
    one, two = issue_one(ready), issue_one(ready)
    pay(ready, one, "120.00", when="2026-11-25")
    pay(ready, two, "33.33", method="cash", when="2026-11-25")
    check, _ = pay(ready, two, "66.67", method="check", when="2026-11-26")
    with transaction(ready) as session:
        reverse_payment(
            session, check.receipt_number, "Returned", actor=CASHIER, now=at("2026-11-26")
        )
        report = reconcile(session, date(2026, 11, 25), date(2026, 11, 26), actor=CASHIER)
    assert report.matches
    assert [(r.day.isoformat(), r.method, r.payments, str(r.net)) for r in report.rows] == [
        ("2026-11-25", "card", 1, "120.00"),
        ("2026-11-25", "cash", 1, "33.33"),
        ("2026-11-26", "check", 1, "0.00"),
    ]
    assert report.total_net == Decimal("153.33")
