"""The stored balance (`Citation.balance_cents`) is always the ledger's sum: after issuing,
payments, their reversal, late penalties and collection fees, a void, a full payment, a
refund, the seed and the migration's backfill; on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, select, update

from citations.database import transaction
from citations.issuing.void import void_citation
from citations.payments.posting import refund, reverse_payment
from citations.payments.processing import process
from citations.record.ledger import balance, balance_drift, balance_update
from citations.record.lookup import find_citation
from citations.record.tables import Citation
from citations.roles import OPERATOR
from citations.seed.program import seed
from tests.conftest import NOW
from tests.factories import prepare
from tests.money_steps import ADMIN, CASHIER, at, issue_one, pay


def stored(engine: Engine, number: str) -> Decimal:
    """The stored balance, after checking that no citation's differs from its ledger."""
    with transaction(engine) as session:
        assert balance_drift(session) == []
        citation = find_citation(session, number, OPERATOR)
        assert Decimal(citation.balance_cents) / 100 == balance(session, citation)
        return balance(session, citation)


def test_every_money_step_keeps_the_stored_balance(engine: Engine) -> None:
    prepare(engine)
    paid_in_part = issue_one(engine, first_name="Ada", identifiers=[])
    paid_in_full = issue_one(engine, first_name="Bo", identifiers=[])
    voided = issue_one(engine, first_name="Cy", identifiers=[])
    late = issue_one(engine, first_name="Di", identifiers=[])
    fine = stored(engine, late)
    assert fine > 0
    result, _ = pay(engine, paid_in_part, "40.00")
    assert stored(engine, paid_in_part) == fine - Decimal("40.00")
    with transaction(engine) as session:
        reverse_payment(
            session, result.receipt_number, "check returned", actor=CASHIER, now=at("2026-11-27")
        )
    assert stored(engine, paid_in_part) == fine
    pay(engine, paid_in_full, str(fine), when="2026-11-26")
    assert stored(engine, paid_in_full) == 0
    with transaction(engine) as session:
        citation = find_citation(session, paid_in_full, OPERATOR)
        refund(
            session, citation, Decimal("5.00"), reason="overpaid", actor=ADMIN, now=at("2026-11-28")
        )
    assert stored(engine, paid_in_full) == Decimal("5.00")
    with transaction(engine) as session:
        void_citation(session, voided, "wrong person", actor=OPERATOR, now=at("2026-11-28"))
    assert stored(engine, voided) == 0
    for day in (date(2027, 1, 15), date(2027, 6, 1)):
        with transaction(engine) as session:
            process(session, as_of=day, actor=OPERATOR, now=at(day.isoformat()))
        assert stored(engine, late) > fine
    assert stored(engine, paid_in_part) > fine


def test_the_backfill_and_the_seed_set_it_from_the_ledger(engine: Engine) -> None:
    seed(engine, 150, seed=5, now=NOW)
    with transaction(engine) as session:
        assert balance_drift(session) == []
        owing = session.scalar(select(Citation.id).where(Citation.balance_cents > 0))
        assert owing is not None
        session.execute(update(Citation).values(balance_cents=12345))
        assert len(balance_drift(session)) == session.query(Citation).count()
        session.execute(balance_update())
        assert balance_drift(session) == []
