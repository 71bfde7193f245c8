"""The cashier's drawer: open with a float, counter payments join it, close balanced, over or
short, and every refusal (both backends)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import InputRejected, PermissionDenied
from citations.payments.drawers import (
    close_drawer,
    get_drawer,
    list_drawers,
    my_drawer,
    open_drawer,
    take_counter_payment,
)
from citations.payments.posting import PaymentRequest, PaymentResult, reverse_payment
from citations.payments.tables import DrawerSession, Payment
from citations.record.staff import StaffUser
from citations.roles import Actor, Role
from tests.factories import prepare
from tests.money_steps import CASHIER, at, issue_one, pay

D = Decimal
DAY = "2026-12-01"
OTHER = Actor("cashier Sam", Role.CLERK)


@pytest.fixture
def ready(engine: Engine) -> Engine:
    prepare(engine)
    return engine


def opened(engine: Engine, amount: str = "100.00", actor: Actor = CASHIER) -> int:
    with transaction(engine) as session:
        return open_drawer(session, D(amount), actor=actor, now=at(DAY, 8)).id


def counter(
    engine: Engine,
    number: str,
    amount: str,
    method: str = "cash",
    reference: str | None = None,
    actor: Actor = CASHIER,
    hour: int = 10,
) -> PaymentResult:
    with transaction(engine) as session:
        request = PaymentRequest(amount=D(amount), method=method, reference=reference)
        result, _ = take_counter_payment(session, number, request, actor=actor, now=at(DAY, hour))
        return result


def close(engine: Engine, cash: str, checks: str, actor: Actor = CASHIER) -> Decimal | None:
    with transaction(engine) as session:
        shown = close_drawer(session, D(cash), D(checks), actor=actor, now=at(DAY, 17))
        return shown.cash_difference


def test_counter_payments_join_the_open_drawer_and_close_balanced(ready: Engine) -> None:
    one, two = issue_one(ready), issue_one(ready)
    drawer_id = opened(ready, "100.00")
    cash = counter(ready, one, "60.00")
    check = counter(ready, two, "40.00", "check", "1042")
    card = counter(ready, two, "25.00", "card", "AUTH 77")
    api, _ = pay(ready, one, "10.00", method="cash", when=DAY)  # the API's: in no drawer
    with transaction(ready) as session:
        drawer = my_drawer(session, actor=CASHIER)
        assert drawer is not None and drawer.status == "open"
        assert [r.receipt_number for r in drawer.receipts] == [
            cash.receipt_number,
            check.receipt_number,
            card.receipt_number,
        ]
        assert (drawer.cash_expected, drawer.checks_expected, drawer.terminal_total) == (
            D("160.00"),
            D("40.00"),
            D("25.00"),
        )
        assert drawer.received == {"card": D("25.00"), "cash": D("60.00"), "check": D("40.00")}
        in_drawer = session.scalars(
            select(Payment.receipt_number).where(Payment.drawer_session_id == drawer_id)
        ).all()
        assert api.receipt_number not in in_drawer
    assert close(ready, "160.00", "40.00") == D("0.00")
    with transaction(ready) as session:
        shown = get_drawer(session, drawer_id, actor=CASHIER)
        assert shown.status == "closed" and shown.balanced
        assert (shown.counted_cash, shown.counted_checks) == (D("160.00"), D("40.00"))
        assert my_drawer(session, actor=CASHIER) is None


@pytest.mark.parametrize(
    ("counted", "difference"), [("165.50", "5.50"), ("150.00", "-10.00"), ("160.00", "0.00")]
)
def test_the_difference_is_over_or_short(ready: Engine, counted: str, difference: str) -> None:
    number = issue_one(ready)
    drawer_id = opened(ready, "100.00")
    counter(ready, number, "60.00")
    assert close(ready, counted, "0.00") == D(difference)
    with transaction(ready) as session:
        row = session.get(DrawerSession, drawer_id)
        assert row is not None
        assert row.cash_difference_cents == int(D(difference) * 100)
        assert row.expected_cash_cents == 16000


def test_a_short_check_count_is_recorded_apart_from_cash(ready: Engine) -> None:
    number = issue_one(ready)
    opened(ready, "0.00")
    counter(ready, number, "75.00", "check", "88")
    with transaction(ready) as session:
        shown = close_drawer(session, D("0.00"), D("70.00"), actor=CASHIER, now=at(DAY, 17))
    assert (shown.cash_difference, shown.checks_difference) == (D("0.00"), D("-5.00"))
    assert not shown.balanced


def test_cash_reversed_while_open_comes_out_of_the_expected(ready: Engine) -> None:
    number = issue_one(ready)
    opened(ready, "50.00")
    taken = counter(ready, number, "30.00")
    with transaction(ready) as session:
        reverse_payment(session, taken.receipt_number, "Given back", actor=CASHIER, now=at(DAY, 11))
        drawer = my_drawer(session, actor=CASHIER)
        assert drawer is not None
        assert drawer.cash_expected == D("50.00")
        assert [r.amount for r in drawer.receipts] == [D("30.00"), D("-30.00")]
    assert close(ready, "50.00", "0.00") == D("0.00")


def test_cash_and_checks_need_an_open_drawer_cards_do_not(ready: Engine) -> None:
    number = issue_one(ready)
    for method, reference in (("cash", None), ("check", "12")):
        with pytest.raises(InputRejected) as raised:
            counter(ready, number, "10.00", method, reference)
        assert raised.value.errors[0].field == "drawer"
        assert raised.value.errors[0].message.startswith("open your drawer first")
    card = counter(ready, number, "10.00", "card")
    with transaction(ready) as session:
        payment = session.scalar(
            select(Payment).where(Payment.receipt_number == card.receipt_number)
        )
        assert payment is not None and payment.drawer_session_id is None


def test_the_counter_refuses_other_methods_and_a_check_without_its_number(ready: Engine) -> None:
    number = issue_one(ready)
    opened(ready)
    with pytest.raises(InputRejected) as raised:
        counter(ready, number, "10.00", "lockbox")
    assert raised.value.errors[0].field == "method"
    assert "card, cash, check, money_order" in raised.value.errors[0].message
    with pytest.raises(InputRejected) as raised:
        counter(ready, number, "10.00", "check")
    assert raised.value.errors[0].message == "enter the check number"


def test_a_closed_drawer_takes_nothing_and_cannot_close_again(ready: Engine) -> None:
    number = issue_one(ready)
    drawer_id = opened(ready)
    close(ready, "100.00", "0.00")
    with pytest.raises(InputRejected, match="open your drawer first"):
        counter(ready, number, "10.00")
    with pytest.raises(InputRejected, match="no open drawer to close"):
        close(ready, "100.00", "0.00")
    with transaction(ready) as session:
        assert get_drawer(session, drawer_id, actor=CASHIER).counted_cash == D("100.00")


def test_one_open_drawer_per_cashier(ready: Engine) -> None:
    opened(ready)
    with pytest.raises(InputRejected, match="already open"):
        opened(ready)
    opened(ready, "20.00", actor=OTHER)  # another cashier has their own
    close(ready, "100.00", "0.00")
    opened(ready, "80.00")  # and after closing, a new one


def test_a_staff_account_keys_the_drawer_not_the_name(ready: Engine) -> None:
    with transaction(ready) as session:
        user = StaffUser(
            username="rdiaz",
            name="Robin Diaz",
            title="Cashier",
            role="clerk",
            created_at=at(DAY, 7),
            created_by="admin",
        )
        session.add(user)
        session.flush()
        account = Actor("Robin Diaz", Role.CLERK, user_id=user.id)
    opened(ready, actor=account)
    # The same name without the account (a token's holder) is another cashier.
    opened(ready, actor=Actor("Robin Diaz", Role.CLERK))
    with pytest.raises(InputRejected, match="already open"):
        opened(ready, actor=Actor("Robin D.", Role.CLERK, user_id=account.user_id))


def test_opening_and_closing_are_audited(ready: Engine) -> None:
    drawer_id = opened(ready, "100.00")
    close(ready, "99.00", "0.00")
    with transaction(ready) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "drawer").order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.entity_key, e.actor) for e in events] == [
            ("drawer.open", str(drawer_id), CASHIER.name),
            ("drawer.close", str(drawer_id), CASHIER.name),
        ]
        closing = events[1].after
        assert closing is not None and closing["cash_difference"] == "-1.00"


def test_bad_amounts_and_roles_are_refused(ready: Engine) -> None:
    with transaction(ready) as session:
        with pytest.raises(InputRejected, match="opening float"):
            open_drawer(session, D("-1"), actor=CASHIER, now=at(DAY, 8))
        with pytest.raises(PermissionDenied):
            open_drawer(session, D("1"), actor=Actor("a", Role.AUDITOR), now=at(DAY, 8))
    opened(ready)
    with pytest.raises(InputRejected) as raised:
        close(ready, "1.001", "-2")
    assert [e.field for e in raised.value.errors] == ["counted_cash", "counted_checks"]


def test_drawers_are_listed_by_the_day_they_opened(ready: Engine) -> None:
    opened(ready)
    opened(ready, "5.00", actor=OTHER)
    close(ready, "100.00", "0.00")
    with transaction(ready) as session:
        listed = list_drawers(session, at(DAY).date(), at(DAY).date(), actor=CASHIER)
        assert [(d.cashier, d.status) for d in listed] == [
            (CASHIER.name, "closed"),
            (OTHER.name, "open"),
        ]
        assert (
            list_drawers(session, at("2026-12-02").date(), at("2026-12-02").date(), actor=CASHIER)
            == []
        )
        with pytest.raises(PermissionDenied):
            get_drawer(session, listed[0].id, actor=Actor("officer", Role.OFFICER, "DCPD"))
