"""Helpers for the money tests: a published catalog, citations, and the clerk who acts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from citations.database import transaction
from citations.payments.posting import PaymentRequest, PaymentResult, record_payment
from citations.record.ledger import balance, balance_drift, entries, paid
from citations.record.lookup import find_citation
from citations.roles import OPERATOR, Actor, Role
from tests.hearing_steps import at, issue_one

CASHIER = Actor("cashier Robin", Role.CLERK)
ADMIN = Actor("admin", Role.ADMIN)
# Served 2026-11-20: the notice's deadline to pay is 2026-12-10 (a Thursday).
DUE = date(2026, 12, 10)

__all__ = ["ADMIN", "CASHIER", "DUE", "at", "issue_one", "pay", "state"]


def pay(
    engine: Engine,
    number: str,
    amount: str,
    *,
    method: str = "card",
    when: str = "2026-11-25",
    key: str | None = None,
    **extra: Any,
) -> tuple[PaymentResult, bool]:
    with transaction(engine) as session:
        request = PaymentRequest(amount=Decimal(amount), method=method, **extra)
        return record_payment(
            session, number, request, actor=CASHIER, now=at(when), idempotency_key=key
        )


def state(engine: Engine, number: str) -> tuple[str, Decimal, Decimal, list[tuple[str, int]]]:
    """(status, balance, paid, ledger) of a citation."""
    with transaction(engine) as session:
        citation = find_citation(session, number, OPERATOR)
        # The stored balance the lists sort by is the ledger's sum after every money step.
        assert balance_drift(session) == []
        return (
            citation.status,
            balance(session, citation),
            paid(session, citation),
            [(e.kind, e.amount_cents) for e in entries(session, citation)],
        )


def moment(day: str, hour: int = 10) -> datetime:
    return at(day, hour)
