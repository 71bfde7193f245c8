"""Every citation's money as an append-only ledger of exact amounts; the balance is derived.

Amounts are stored as positive integer cents; each kind says whether it adds to what the
person owes (a charge) or takes from it (a credit). A refund is a charge: it returns money
that had been credited, so a dismissal followed by the refund of a deposit nets to zero.
Nothing is edited or deleted; every entry records who, when and why.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    Update,
    case,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from citations.audit import record
from citations.money import from_cents, to_cents
from citations.orm import Base, RecordKey
from citations.record.tables import Citation


class EntryKind(StrEnum):
    FINE_ASSESSED = "fine_assessed"
    FINE_ADJUSTED_UP = "fine_adjusted_up"
    """An amendment that raised the fine (e.g. a corrected offense count)."""
    FINE_ADJUSTED_DOWN = "fine_adjusted_down"
    DEPOSIT = "deposit"
    """The advance deposit for a hearing: a payment held until the decision."""
    PAYMENT = "payment"
    REDUCTION = "reduction"
    """A review or hearing reduced the fine."""
    DISMISSAL = "dismissal"
    """The citation was dismissed: whatever remained of the fine is cancelled."""
    REFUND = "refund"
    VOID = "void"
    """The citation was voided as issued in error: the fine is cancelled."""
    LATE_PENALTY = "late_penalty"
    COLLECTION_FEE = "collection_fee"
    REVERSAL = "reversal"
    """A payment came back (returned check, chargeback): the balance reopens."""
    WAIVER = "waiver"
    """Ability to pay: the fine is waived."""
    ABILITY_ADJUSTMENT = "ability_adjustment"
    """Ability to pay: the part of the fine a reduced payment satisfies in full."""
    SERVICE_CREDIT = "service_credit"
    """Community service hours, credited at the version's rate."""


CHARGES = frozenset(
    {
        EntryKind.FINE_ASSESSED,
        EntryKind.FINE_ADJUSTED_UP,
        EntryKind.REFUND,
        EntryKind.LATE_PENALTY,
        EntryKind.COLLECTION_FEE,
        EntryKind.REVERSAL,
    }
)
PAID = frozenset({EntryKind.DEPOSIT, EntryKind.PAYMENT})
"""Money received; a reversal or a refund takes it back."""
GIVEN_BACK = frozenset({EntryKind.REFUND, EntryKind.REVERSAL})


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_citation", "citation_id", "id"),)

    id: Mapped[int] = mapped_column(RecordKey, primary_key=True)
    citation_id: Mapped[int] = mapped_column(RecordKey, ForeignKey("citations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)


def post(
    session: Session,
    citation: Citation,
    kind: EntryKind,
    amount: Decimal,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    method: str | None = None,
    reference: str | None = None,
) -> LedgerEntry | None:
    """Append an entry (and its audit event); a zero amount posts nothing."""
    row = entry_row(citation.id, kind, amount, actor=actor, at=at, reason=reason, method=method)
    if row is None:
        return None
    row["reference"] = reference
    entry = LedgerEntry(**row)
    session.add(entry)
    # In SQL, not from the loaded value: exact even over a copy loaded before another step.
    citation.balance_cents = Citation.balance_cents + signed_cents(kind, row["amount_cents"])
    session.flush()
    record(session, **entry_event(citation.number, row))
    return entry


def entry_row(
    citation_id: int,
    kind: EntryKind,
    amount: Decimal,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    method: str | None = None,
) -> dict[str, Any] | None:
    """The columns of a new entry (no reference); None for a zero amount, which posts nothing.
    Bulk writers insert these rows themselves, with `entry_event` for each."""
    cents = to_cents(amount)
    if cents < 0:
        raise ValueError(f"ledger amounts are positive; {kind} of {amount}")
    if cents == 0:
        return None
    return {
        "citation_id": citation_id,
        "kind": kind.value,
        "amount_cents": cents,
        "method": method,
        "created_at": at,
        "created_by": actor,
        "reason": reason,
    }


def entry_event(number: str, row: dict[str, Any]) -> dict[str, Any]:
    """The audit event of a new entry (`entry_row` with its reference) of citation `number`:
    the arguments of `record`."""
    return {
        "at": row["created_at"],
        "actor": row["created_by"],
        "action": f"ledger.{row['kind']}",
        "entity_type": "citation",
        "entity_key": number,
        "reason": row["reason"],
        "after": {
            "kind": row["kind"],
            "amount": str(from_cents(row["amount_cents"])),
            "method": row["method"],
            "reference": row["reference"],
        },
    }


def signed_cents(kind: EntryKind | str, cents: int) -> int:
    """An amount in cents as it counts toward the balance (`signed_amount`'s rule).

    >>> signed_cents(EntryKind.PAYMENT, 2500), signed_cents(EntryKind.LATE_PENALTY, 5000)
    (-2500, 5000)
    """
    return cents if kind in CHARGES else -cents


def balance_update() -> Update:
    """Set every citation's stored balance to its ledger's sum: the migration that added the
    column, and bulk loads (the seed) that write entries without `post`, run it once."""
    summed = (
        select(func.coalesce(func.sum(_signed()), 0))
        .where(LedgerEntry.citation_id == Citation.id)
        .scalar_subquery()
    )
    return (
        update(Citation)
        .values(balance_cents=summed)
        .execution_options(synchronize_session=False)  # no session holds them: fetch no ids
    )


def balance_drift(session: Session) -> list[tuple[str, int, int]]:
    """Citations whose stored balance is not their ledger's sum: (number, stored, summed),
    in cents. Always empty; the tests check it after every money step they take."""
    session.flush()
    summed = (
        select(LedgerEntry.citation_id, func.sum(_signed()).label("cents"))
        .group_by(LedgerEntry.citation_id)
        .subquery()
    )
    rows = session.execute(
        select(Citation.number, Citation.balance_cents, func.coalesce(summed.c.cents, 0))
        .outerjoin(summed, summed.c.citation_id == Citation.id)
        .where(Citation.balance_cents != func.coalesce(summed.c.cents, 0))
        .order_by(Citation.number)
    ).all()
    return [(number, int(stored), int(cents)) for number, stored, cents in rows]


def signed_amount(entry: LedgerEntry) -> Decimal:
    """How an entry counts toward the balance: a charge adds to what is owed, a credit
    (payment, reduction, waiver...) takes from it. The one rule; `_signed` is its SQL form."""
    return from_cents(entry.amount_cents if entry.kind in CHARGES else -entry.amount_cents)


def _signed() -> ColumnElement[int]:
    return case(
        (LedgerEntry.kind.in_([k.value for k in CHARGES]), LedgerEntry.amount_cents),
        else_=-LedgerEntry.amount_cents,
    )


def balance(session: Session, citation: Citation) -> Decimal:
    """What the person owes now: charges minus credits (negative: the city owes a refund)."""
    session.flush()
    total = session.scalar(
        select(func.coalesce(func.sum(_signed()), 0)).where(LedgerEntry.citation_id == citation.id)
    )
    return from_cents(int(total or 0))


def balances(session: Session, ids: list[int]) -> dict[int, Decimal]:
    """The balances of many citations, in one aggregate query per thousand; a citation
    without entries is left out."""
    session.flush()
    result: dict[int, Decimal] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for citation_id, cents in session.execute(
            select(LedgerEntry.citation_id, func.sum(_signed()))
            .where(LedgerEntry.citation_id.in_(chunk))
            .group_by(LedgerEntry.citation_id)
        ).all():
            result[citation_id] = from_cents(int(cents or 0))
    return result


def paid(session: Session, citation: Citation) -> Decimal:
    """Money received from the person and not refunded."""
    session.flush()
    rows = session.execute(
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.citation_id == citation.id)
        .group_by(LedgerEntry.kind)
    ).all()
    totals = {kind: int(total or 0) for kind, total in rows}
    received = sum(totals.get(k.value, 0) for k in PAID)
    returned = sum(totals.get(k.value, 0) for k in GIVEN_BACK)
    return from_cents(received - returned)


def entries(session: Session, citation: Citation) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.citation_id == citation.id)
            .order_by(LedgerEntry.id)
        )
    )
