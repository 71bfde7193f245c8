"""The report's figures shaped from counts and sums, the same way whether the counts came
from the rows (`citations.reports.compute`) or from the daily aggregates
(`citations.reports.summed`).

>>> rate(1, 3), rate(0, 0)
(Decimal('0.3333'), Decimal('0'))
>>> money_of({"fine_assessed": 10000, "payment": 2500}).outstanding
Decimal('75.00')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from citations.money import from_cents
from citations.record.ledger import EntryKind
from citations.record.tables import IntakeRecord
from citations.reports.facts import REASON_KINDS
from citations.reports.model import EquityRow, Money, ReasonCount, RepeatRate

FOUR = Decimal("0.0001")


def rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(FOUR) if whole else Decimal(0)


def repeat_rate(code: str, title: str, figures: Sequence[int | None]) -> RepeatRate:
    """One ordinance's repeat rates from its four counts: people whose 6-month window has
    passed, those of them cited again within it, and the same for 12 months."""
    people6, again6, people12, again12 = (int(n or 0) for n in figures)
    return RepeatRate(
        ordinance=code,
        title=title,
        people=people6,
        people_12_months=people12,
        again_6_months=again6,
        again_12_months=again12,
        rate_6_months=rate(again6, people6),
        rate_12_months=rate(again12, people12),
    )


def money_of(cents: Mapping[str, int | None]) -> Money:
    """The money section from the ledger's sums in cents by entry kind."""

    def total(*kinds: EntryKind) -> int:
        return sum(int(cents.get(k.value, 0) or 0) for k in kinds)

    k = EntryKind
    assessed = total(k.FINE_ASSESSED, k.FINE_ADJUSTED_UP, k.LATE_PENALTY, k.COLLECTION_FEE) - total(
        k.FINE_ADJUSTED_DOWN
    )
    collected = total(k.PAYMENT, k.DEPOSIT) - total(k.REVERSAL, k.REFUND)
    waived = total(k.WAIVER, k.ABILITY_ADJUSTMENT)
    reduced = total(k.REDUCTION, k.DISMISSAL, k.VOID)
    service = total(k.SERVICE_CREDIT)
    return Money(
        assessed=from_cents(assessed),
        collected=from_cents(collected),
        waived=from_cents(waived),
        reduced=from_cents(reduced),
        converted_to_service=from_cents(service),
        outstanding=from_cents(assessed - collected - waived - reduced - service),
    )


def hours_of(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def equity_row(
    dimension: str, value: str, issued: int, delinquent: int, collections: int, alternative: int
) -> EquityRow:
    return EquityRow(
        dimension=dimension,
        value=value,
        issued=issued,
        delinquent=delinquent,
        in_collections=collections,
        alternatives=alternative,
        delinquency_rate=rate(delinquent + collections, issued),
        collections_rate=rate(collections, issued),
        alternatives_rate=rate(alternative, issued),
    )


def reasons_with_examples(
    session: Session,
    where: list[ColumnElement[bool]],
    outcome: str,
    counts: list[tuple[str, int]],
) -> list[ReasonCount]:
    """Each reason kind's count with up to three reasons as recorded, from the period's 50
    latest records of the outcome (read from the rows: a LIMIT from the newest)."""
    result = []
    for name, count in counts:
        examples_query = (
            select(IntakeRecord.reasons)
            .where(*where, IntakeRecord.outcome == outcome)
            .order_by(IntakeRecord.id.desc())
            .limit(50)
        )
        examples: list[str] = []
        for reasons in session.scalars(examples_query):
            for reason in reasons or []:
                if kind_of(reason, outcome) == name and reason not in examples:
                    examples.append(reason)
            if len(examples) >= 3:
                break
        result.append(ReasonCount(kind=name, count=count, examples=examples[:3]))
    return result


def kind_of(reason: str, outcome: str) -> str:
    if outcome == "declined":
        return "declined"
    for kind, pattern in REASON_KINDS:
        if pattern.strip("%") in reason:
            return kind
    return "other"
