"""The daily reconciliation: money by day and method from the payment records, checked to the
cent against the ledger, which is written independently by every posting."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from citations.calendar import local_at, local_date, zone_of
from citations.catalog.store import PublishedCatalog
from citations.money import from_cents
from citations.payments.tables import DrawerSession, Payment
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


class DrawerDifference(BaseModel):
    """A closed cashier's drawer whose count differed from what it should have held."""

    day: date
    drawer: int
    cashier: str
    cash: Decimal
    """Counted less expected: above zero over, below zero short."""
    checks: Decimal


class Reconciliation(BaseModel):
    start: date
    end: date
    rows: list[ReconciliationRow]
    total_net: Decimal
    total_ledger_net: Decimal
    drawer_differences: list[DrawerDifference] = []
    """The period's closed drawers that were over or short (a balanced one is not listed)."""

    @property
    def matches(self) -> bool:
        return all(r.matches for r in self.rows) and self.total_net == self.total_ledger_net


def reconcile(session: Session, start: date, end: date, *, actor: Actor) -> Reconciliation:
    """Totals by the local day the money was received (`Payment.received_on`) and method,
    from the payment records and from the ledger.

    Grouped by the day received, not the day posted: a check received on 1 December and
    posted on the 4th is the 1st's money. The ledger side reads each money entry's own
    amount and method, and takes the day from the payment it belongs to; an entry with no
    payment row counts on its posting day, where it shows as a difference.
    """
    actor.require(Action.READ_MONEY_REPORTS)
    profile = PublishedCatalog(session).jurisdiction()
    books: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for payment in session.scalars(
        select(Payment).where(Payment.received_on >= start, Payment.received_on <= end)
    ):
        key = (payment.received_on, payment.method)
        sign = IN[payment.kind]
        books[key][0] += 1 if sign > 0 else 0
        books[key][1 if sign > 0 else 2] += payment.amount_cents
    # Only the period's rows are read: the posting bounds are the local days' first instants.
    since = local_at(start, time.min, zone_of(profile))
    until = local_at(end + timedelta(days=1), time.min, zone_of(profile))
    ledger: dict[tuple[date, str], int] = defaultdict(int)
    for entry, received_on in session.execute(
        select(LedgerEntry, Payment.received_on)
        .outerjoin(Payment, Payment.ledger_entry_id == LedgerEntry.id)
        .where(
            LedgerEntry.kind.in_(list(LEDGER_SIGN)),
            or_(
                Payment.received_on.between(start, end),
                Payment.id.is_(None)
                & (LedgerEntry.created_at >= since)
                & (LedgerEntry.created_at < until),
            ),
        )
    ):
        day = received_on if received_on is not None else local_date(entry.created_at, profile)
        ledger[(day, entry.method or "unspecified")] += LEDGER_SIGN[entry.kind] * entry.amount_cents
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
        drawer_differences=_drawer_differences(session, start, end),
    )


def _drawer_differences(session: Session, start: date, end: date) -> list[DrawerDifference]:
    drawers = session.scalars(
        select(DrawerSession)
        .where(
            DrawerSession.opened_on.between(start, end),
            DrawerSession.closed_at.is_not(None),
            (DrawerSession.cash_difference_cents != 0)
            | (DrawerSession.checks_difference_cents != 0),
        )
        .order_by(DrawerSession.opened_on, DrawerSession.id)
    )
    return [
        DrawerDifference(
            day=d.opened_on,
            drawer=d.id,
            cashier=d.cashier,
            cash=from_cents(d.cash_difference_cents or 0),
            checks=from_cents(d.checks_difference_cents or 0),
        )
        for d in drawers
    ]
