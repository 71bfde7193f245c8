"""An amendment never leaves a negative balance: once money has been received, it cannot
change the fine (the rule in `amend_citation`'s docstring and the README), on both backends."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from citations.audit import AuditEvent
from citations.database import transaction
from citations.errors import IllegalTransition
from citations.issuing.amend import Amendment, amend_citation
from citations.payments.posting import reverse_payment
from citations.record.lookup import find_citation
from citations.roles import OPERATOR
from tests.factories import message, prepare, send, subject
from tests.hearing_steps import ISSUED_AT, at, issue_one
from tests.money_steps import CASHIER, pay, state

REPEATER = subject(first_name="Rita", identifiers=[])
"""Cited on 2026-11-10: a citation of hers on 2026-11-20 is a second offense (400.00)."""
SOMEONE_ELSE = subject(first_name="Rita", date_of_birth="1991-05-06", identifiers=[])
"""The person the officer meant: no prior, a first offense (200.00)."""


@pytest.fixture
def second_offense(engine: Engine) -> str:
    """A citation of 400.00 for a second offense (the fine a wrong date of birth gave)."""
    prepare(engine)
    send(engine, message(violation_at="2026-11-10T10:00:00-08:00", subject=REPEATER), now=ISSUED_AT)
    number = issue_one(engine, first_name="Rita", identifiers=[])
    assert state(engine, number)[:2] == ("issued", Decimal("400.00"))
    return number


def amend(engine: Engine, number: str, **changes: Any) -> None:
    with transaction(engine) as session:
        amend_citation(
            session,
            number,
            Amendment.model_validate({"reason": "wrong date of birth", **changes}),
            actor=OPERATOR,
            now=at("2026-11-26"),
        )


def amendments(engine: Engine, number: str) -> int:
    with transaction(engine) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.entity_key == number, AuditEvent.action == "citation.amend")
            )
            or 0
        )


def test_lowering_the_fine_after_a_partial_payment_is_refused(
    engine: Engine, second_offense: str
) -> None:
    number = second_offense
    pay(engine, number, "300.00")
    with pytest.raises(IllegalTransition) as refused:
        amend(engine, number, subject=SOMEONE_ELSE)
    assert "paid in part (300.00 received)" in str(refused.value)
    assert "from 400.00 to 200.00" in str(refused.value)
    assert "a review or hearing can reduce the fine" in str(refused.value)
    status, owed, paid, ledger = state(engine, number)
    assert (status, owed, paid) == ("issued", Decimal("100.00"), Decimal("300.00"))
    assert ledger == [("fine_assessed", 40000), ("payment", 30000)]
    assert amendments(engine, number) == 0
    with transaction(engine) as session:
        assert find_citation(session, number, OPERATOR).revision == 1


def test_raising_the_fine_after_a_partial_payment_is_refused(engine: Engine) -> None:
    prepare(engine)
    send(engine, message(violation_at="2026-11-10T10:00:00-08:00", subject=REPEATER), now=ISSUED_AT)
    number = issue_one(engine, first_name="Ana", identifiers=[])
    pay(engine, number, "50.00")
    with pytest.raises(IllegalTransition, match=r"from 200\.00 to 400\.00"):
        amend(engine, number, subject=REPEATER)
    assert state(engine, number)[:3] == ("issued", Decimal("150.00"), Decimal("50.00"))


def test_an_amendment_that_keeps_the_fine_is_taken_after_a_payment(
    engine: Engine, second_offense: str
) -> None:
    number = second_offense
    pay(engine, number, "300.00")
    amend(engine, number, location={"address": "102 Main St", "area": "Central"})
    status, owed, paid, ledger = state(engine, number)
    assert (status, owed, paid) == ("issued", Decimal("100.00"), Decimal("300.00"))
    assert ledger == [("fine_assessed", 40000), ("payment", 30000)]
    assert amendments(engine, number) == 1


def test_before_any_payment_the_fine_is_adjusted(engine: Engine, second_offense: str) -> None:
    number = second_offense
    amend(engine, number, subject=SOMEONE_ELSE)
    status, owed, _, ledger = state(engine, number)
    assert (status, owed) == ("issued", Decimal("200.00"))
    assert ledger == [("fine_assessed", 40000), ("fine_adjusted_down", 20000)]


def test_a_payment_that_came_back_no_longer_counts(engine: Engine, second_offense: str) -> None:
    """A returned payment leaves nothing received: the fine can be corrected again."""
    number = second_offense
    receipt = pay(engine, number, "300.00")[0].receipt_number
    with transaction(engine) as session:
        reverse_payment(session, receipt, "check returned", actor=CASHIER, now=at("2026-11-26"))
    amend(engine, number, subject=SOMEONE_ELSE)
    status, owed, paid, _ = state(engine, number)
    assert (status, owed, paid) == ("issued", Decimal("200.00"), Decimal("0.00"))
