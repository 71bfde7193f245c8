"""Figures the report prints or its wording uses that `ProgramReport` does not hold as such: a
share as the report prints it, the largest count, each tier's hearing totals, an equity total
row, every month of the period (a quiet month is a zero, not a gap) and the days of a month
only partly inside it, whether a rate's group is too small to compare, and rows of a table
that leave no item alone. Kept apart from the layout so each is plain arithmetic on the
report's values, checked on its own.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol, TypeVar

from babel.dates import format_date
from babel.numbers import format_percent

from citations.reports.model import Count, EquityRow, HearingOutcome

SMALL_GROUP = 20
"""A rate over fewer people, citations or contests than this is printed in grey (a pale bar
in a chart): too few to compare. The one threshold: the wording prints it as `small_group`."""


class _Counted(Protocol):
    @property
    def count(self) -> int: ...


CountedT = TypeVar("CountedT", bound=_Counted)


def too_few(denominator: int) -> bool:
    """Whether a rate over `denominator` (people, citations, contests) is too few to compare.
    Each rate is judged by its own denominator: a 12-month repeat rate counts fewer people
    than the 6-month rate of the same ordinance.

    >>> too_few(19), too_few(SMALL_GROUP), too_few(0)
    (True, False, True)
    """
    return denominator < SMALL_GROUP


def balanced_rows(count: int, most: int = 12) -> list[int]:
    """How many items go on each row of a table: as few rows as `most` to a row allows, their
    sizes differing by at most one, so no row is left with one item under a full one.

    >>> balanced_rows(12), balanced_rows(13), balanced_rows(24), balanced_rows(25)
    ([12], [7, 6], [12, 12], [9, 8, 8])
    >>> balanced_rows(0)
    []
    """
    if count <= 0:
        return []
    rows = -(-count // most)
    size, longer = divmod(count, rows)
    return [size + 1] * longer + [size] * (rows - longer)


def share_text(value: Decimal, locale: str = "en_US") -> str:
    """A share from 0 to 1 as a percent with one decimal, as the report prints it.

    >>> share_text(Decimal("0.125")), share_text(Decimal("0.3465")), share_text(Decimal("1"))
    ('12.5%', '34.7%', '100.0%')
    """
    if value is None:
        raise TypeError("rate() was given no value (None)")
    # Rounded half up here: babel would round half to even (34.65% as 34.6%).
    tenths = (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(format_percent(tenths / 100, "#,##0.0%", locale=locale))


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` of `whole`, or None when there is no whole (a share of nothing is no share).

    >>> ratio(1, 4), ratio(3, 0)
    (Decimal('0.25'), None)
    """
    return None if not whole else Decimal(part) / Decimal(whole)


def largest(items: Sequence[CountedT]) -> CountedT | None:
    """The largest count (the first of equals), or None when every count is zero.

    >>> largest([Count(key="a", label="A", count=2), Count(key="b", label="B", count=5)]).key
    'b'
    >>> largest([Count(key="a", label="A", count=0)]) is None
    True
    """
    best = max(items, key=lambda item: item.count, default=None)
    return best if best is not None and best.count > 0 else None


def decided(row: HearingOutcome) -> int:
    """The contests a tier or hearing officer decided, whatever the decision."""
    return row.upheld + row.reduced + row.dismissed + row.default


def tier_totals(rows: Sequence[HearingOutcome]) -> list[HearingOutcome]:
    """Each tier's total row; summed from its officers' rows when the report has none.

    >>> officer = HearingOutcome(
    ...     tier="hearing", hearing_officer="J. Okafor", upheld=2, dismissed=1, reduced=0, default=1
    ... )
    >>> [(row.tier, row.hearing_officer, decided(row)) for row in tier_totals([officer, officer])]
    [('hearing', None, 8)]
    """
    totals = [row for row in rows if row.hearing_officer is None]
    known = {row.tier for row in totals}
    for tier in dict.fromkeys(row.tier for row in rows if row.tier not in known):
        members = [row for row in rows if row.tier == tier]
        totals.append(
            HearingOutcome(
                tier=tier,
                hearing_officer=None,
                upheld=sum(row.upheld for row in members),
                dismissed=sum(row.dismissed for row in members),
                reduced=sum(row.reduced for row in members),
                default=sum(row.default for row in members),
            )
        )
    return totals


def equity_total(rows: Sequence[EquityRow], dimension: str) -> EquityRow:
    """All rows of a dimension together, rates weighted by the citations issued."""
    issued = sum(row.issued for row in rows)

    def weighted(name: str) -> Decimal:
        total = sum((getattr(row, name) * row.issued for row in rows), Decimal(0))
        return (total / issued).quantize(Decimal("0.0001")) if issued else Decimal(0)

    return EquityRow(
        dimension=dimension,
        value="",
        issued=issued,
        delinquent=sum(row.delinquent for row in rows),
        in_collections=sum(row.in_collections for row in rows),
        alternatives=sum(row.alternatives for row in rows),
        delinquency_rate=weighted("delinquency_rate"),
        collections_rate=weighted("collections_rate"),
        alternatives_rate=weighted("alternatives_rate"),
    )


def _month(key: str) -> tuple[int, int] | None:
    """(year, month) of a YYYY-MM key, or None for any other key."""
    try:
        year, month = int(key[:4]), int(key[5:7])
    except ValueError:
        return None
    return (year, month) if key[4:5] == "-" and len(key) == 7 and 1 <= month <= 12 else None


def every_month(
    counts: Sequence[Count], locale: str, start: date | None = None, end: date | None = None
) -> list[Count]:
    """The months in order, with a zero for each month between them that had no citations
    (a trend line must not skip a quiet month), and for each month of the period from
    `start` to `end` before the first count or after the last. Keys that are not YYYY-MM stay
    as given; no counts at all stay none (the report says nothing was issued).

    >>> jan, apr = (Count(key=k, label=k, count=3) for k in ("2026-01", "2026-04"))
    >>> [(m.label, m.count) for m in every_month([apr, jan], "en_US")]
    [('2026-01', 3), ('Feb 2026', 0), ('Mar 2026', 0), ('2026-04', 3)]
    >>> [m.key for m in every_month([jan], "en_US", date(2025, 12, 15), date(2026, 2, 1))]
    ['2025-12', '2026-01', '2026-02']
    """
    ordered = sorted(counts, key=lambda item: item.key)
    found = {_month(c.key): c for c in ordered}
    if not found or None in found or len(found) != len(ordered):
        return ordered
    months = [m for m in found if m is not None]
    if start is not None and end is not None and start <= end:
        months += [(start.year, start.month), (end.year, end.month)]
    (year, month), last = min(months), max(months)
    result: list[Count] = []
    while (year, month) <= last:
        day = date(year, month, 1)
        empty = Count(
            key=f"{year:04d}-{month:02d}", label=format_date(day, "MMM y", locale=locale), count=0
        )
        result.append(found.get((year, month), empty))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def days_inside(key: str, start: date, end: date) -> tuple[date, date] | None:
    """The first and last day of month `key` (YYYY-MM) inside the period from `start` to
    `end`, when the month is only partly inside it; None for a whole month (or another key).
    A partial month's count covers only those days: drawn like the others, it would read as
    a collapse.

    >>> days_inside("2025-11", date(2025, 11, 15), date(2026, 12, 3))
    (datetime.date(2025, 11, 15), datetime.date(2025, 11, 30))
    >>> days_inside("2026-12", date(2025, 11, 15), date(2026, 12, 3))
    (datetime.date(2026, 12, 1), datetime.date(2026, 12, 3))
    >>> days_inside("2026-02", date(2025, 11, 15), date(2026, 12, 3)) is None
    True
    """
    month = _month(key)
    if month is None:
        return None
    first = date(month[0], month[1], 1)
    last = date(month[0], month[1], calendar.monthrange(*month)[1])
    inside = (max(first, start), min(last, end))
    return None if inside == (first, last) or inside[0] > inside[1] else inside
