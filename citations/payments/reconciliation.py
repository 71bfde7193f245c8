"""The daily reconciliation: money by day and method from the payment records, checked to the
cent against the ledger, which is written independently by every posting."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from citations.calendar import local_at, local_date, zone_of
from citations.catalog.store import PublishedCatalog
from citations.money import from_cents
from citations.payments.tables import Payment
from citations.record.ledger import EntryKind, LedgerEntry
from citations.roles import Action, Actor

IN = {"payment": 1, "deposit": 1, "reversal": -1, "refund": -1}
LEDGER_SIGN = {
    EntryKind.PAYMENT.value: 1,
    EntryKind.DEPOSIT.value: 1,
    EntryKind.REVERSAL.value: -1,
    EntryKind.REFUND.value: -1,
}


class ReconciliationRow(BaseModel):
    day: date
    method: str
    payments: int
    received: Decimal
    """Payments and deposits."""
    returned: Decimal
    """Reversals and refunds."""
    net: Decimal
    ledger_net: Decimal
    matches: bool


class Reconciliation(BaseModel):
    start: date
    end: date
    rows: list[ReconciliationRow]
    total_net: Decimal
    total_ledger_net: Decimal

    @property
    def matches(self) -> bool:
        return all(r.matches for r in self.rows) and self.total_net == self.total_ledger_net


def reconcile(session: Session, start: date, end: date, *, actor: Actor) -> Reconciliation:
    """Totals by posting day (local) and method, from payments and from the ledger."""
    actor.require(Action.READ_MONEY_REPORTS)
    profile = PublishedCatalog(session).jurisdiction()
    # Only the period's rows are read: the bounds are the local days' first instants.
    since = local_at(start, time.min, zone_of(profile))
    until = local_at(end + timedelta(days=1), time.min, zone_of(profile))
    books: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for payment in session.scalars(
        select(Payment).where(Payment.recorded_at >= since, Payment.recorded_at < until)
    ):
        key = (local_date(payment.recorded_at, profile), payment.method)
        sign = IN[payment.kind]
        books[key][0] += 1 if sign > 0 else 0
        books[key][1 if sign > 0 else 2] += payment.amount_cents
    ledger: dict[tuple[date, str], int] = defaultdict(int)
    for entry in session.scalars(
        select(LedgerEntry).where(LedgerEntry.kind.in_(list(LEDGER_SIGN)))
    ):
        day = local_date(entry.created_at, profile)
        if start <= day <= end:
            ledger[(day, entry.method or "unspecified")] += (
                LEDGER_SIGN[entry.kind] * entry.amount_cents
            )
    rows = []
    for key in sorted(set(books) | set(ledger)):
        count, received, returned = books.get(key, [0, 0, 0])
        net = received - returned
        rows.append(
            ReconciliationRow(
                day=key[0],
                method=key[1],
                payments=count,
                received=from_cents(received),
                returned=from_cents(returned),
                net=from_cents(net),
                ledger_net=from_cents(ledger.get(key, 0)),
                matches=net == ledger.get(key, 0),
            )
        )
    return Reconciliation(
        start=start,
        end=end,
        rows=rows,
        total_net=sum((r.net for r in rows), Decimal("0.00")),
        total_ledger_net=sum((r.ledger_net for r in rows), Decimal("0.00")),
    )
