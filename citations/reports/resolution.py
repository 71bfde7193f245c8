"""Days from issue to close (median and 90th percentile) from a daily histogram.

`report_resolution_days` counts the closed citations of each violation day and area by whole
days to resolution (the bucket: the floor of the days). Summing the period's histograms gives
how many values lie in each bucket, so the rank a percentile needs falls in one known bucket;
only that bucket's rows are read (at most two buckets when the two ranks interpolated
between straddle a boundary), with the very expression the rows' report orders by, so the
figure is the rows' to the last digit.

>>> from datetime import date
>>> query = resolution_facts([Citation.violation_date == date(2026, 1, 5)])
>>> [c.name for c in query.selected_columns]
['day', 'area', 'bucket', 'citations']
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NoReturn

from sqlalchemy import ColumnElement, Float, Integer, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from citations.record.tables import Citation

TENTH = Decimal("0.1")
MEDIAN, P90 = Decimal("0.5"), Decimal("0.9")
SECONDS_A_DAY = literal_column("86400.0", Float())


class ResolutionDays(FunctionElement[float]):
    """A closed citation's days from issue to close, as a float: one construct compiled per
    backend, so the histogram's buckets and the rows' ordering use the same value."""

    type = Float()
    inherit_cache = True
    name = "resolution_days"


@compiles(ResolutionDays, "postgresql")
def _days_postgres(element: ResolutionDays, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(
        # A literal, not a bound parameter: PostgreSQL matches GROUP BY expressions by text.
        func.extract("epoch", Citation.closed_at - Citation.issued_at) / SECONDS_A_DAY,
        **kw,
    )


@compiles(ResolutionDays)
def _days_sqlite(element: ResolutionDays, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(
        func.julianday(Citation.closed_at) - func.julianday(Citation.issued_at), **kw
    )


class ResolutionBucket(FunctionElement[int]):
    """The floor of `ResolutionDays` (SQLite has no floor() in every build)."""

    type = Integer()
    inherit_cache = True
    name = "resolution_bucket"


@compiles(ResolutionBucket, "postgresql")
def _bucket_postgres(element: ResolutionBucket, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(floor({compiler.process(ResolutionDays(), **kw)}) AS INTEGER)"


@compiles(ResolutionBucket)
def _bucket_sqlite(element: ResolutionBucket, compiler: SQLCompiler, **kw: Any) -> str:
    days = compiler.process(ResolutionDays(), **kw)
    # CAST truncates toward zero: one less for a negative fraction, as floor() does.
    return f"(CAST({days} AS INTEGER) - ({days} < CAST({days} AS INTEGER)))"


def resolution_facts(where: list[ColumnElement[bool]]) -> Any:
    """Closed citations by violation day, area and whole days to resolution."""
    bucket = ResolutionBucket()
    return (
        select(
            Citation.violation_date.label("day"),
            Citation.area.label("area"),
            bucket.label("bucket"),
            func.count().label("citations"),
        )
        .where(*where, Citation.closed_at.is_not(None))
        .group_by(Citation.violation_date, Citation.area, bucket)
    )


def percentile(low: float, high: float, rank: Decimal) -> Decimal:
    """The value at `rank` between the two nearest ranks' values, to a tenth of a day (as
    PostgreSQL's percentile_cont and `statistics.quantiles(..., method="inclusive")`)."""
    below = int(rank)
    low_d, high_d = Decimal(repr(float(low))), Decimal(repr(float(high)))
    return (low_d + (high_d - low_d) * (rank - below)).quantize(TENTH, ROUND_HALF_UP)


def resolution_from_rows(
    session: Session, where: list[ColumnElement[bool]], count: int
) -> dict[str, Decimal | None]:
    """Median and 90th percentile, each by ORDER BY ... OFFSET over the period's rows."""
    if not count:
        return {"days_to_resolution_median": None, "days_to_resolution_p90": None}
    days = ResolutionDays()
    closed = [*where, Citation.closed_at.is_not(None)]

    def at(fraction: Decimal) -> Decimal:
        rank = (count - 1) * fraction
        pair = session.scalars(
            select(days).where(*closed).order_by(days).limit(2).offset(int(rank))
        ).all()
        return percentile(pair[0], pair[-1], rank)

    return {"days_to_resolution_median": at(MEDIAN), "days_to_resolution_p90": at(P90)}


def resolution_from_histogram(
    session: Session,
    histogram: Any,
    where: list[ColumnElement[bool]],
    count: int,
) -> dict[str, Decimal | None]:
    """Median and 90th percentile from `histogram` (a subquery of `resolution_facts`' columns
    over the period, fresh days from the table and stale ones from the rows), reading only
    the rows (`where`: the period's citations) of the bucket each rank falls in."""
    if not count:
        return {"days_to_resolution_median": None, "days_to_resolution_p90": None}
    h = histogram.c
    buckets = [
        (int(bucket), int(n))
        for bucket, n in session.execute(
            select(h.bucket, func.sum(h.citations)).group_by(h.bucket).order_by(h.bucket)
        )
    ]
    days, bucket_of = ResolutionDays(), ResolutionBucket()

    def values(position: int, wanted: int) -> list[float]:
        """`wanted` values from 0-based `position` in the period's ordered values, read
        from the rows of the bucket `position` falls in (indexed by bucket and violation
        day; on PostgreSQL the index carries the times and the area, so the read never
        visits the table: migration 0026)."""
        before = 0
        for bucket, n in buckets:
            if position < before + n:
                found = session.scalars(
                    select(days)
                    .where(*where, Citation.closed_at.is_not(None), bucket_of == bucket)
                    .order_by(days)
                    .limit(min(wanted, before + n - position))
                    .offset(position - before)
                ).all()
                if not found:
                    _inconsistent(bucket)
                return [float(v) for v in found]
            before += n
        return _inconsistent(position)

    def at(fraction: Decimal) -> Decimal:
        rank = (count - 1) * fraction
        below = int(rank)
        pair = values(below, 2)  # both from one bucket, unless `below` is its last value
        if len(pair) == 1 and below + 1 < count:
            pair += values(below + 1, 1)
        return percentile(pair[0], pair[-1], rank)

    return {"days_to_resolution_median": at(MEDIAN), "days_to_resolution_p90": at(P90)}


def _inconsistent(where: int) -> NoReturn:
    raise RuntimeError(f"the resolution histogram disagrees with the rows near {where}")
