"""The local calendar date of a stored instant, in SQL on both backends.

PostgreSQL converts with the zone's rules (`timezone(zone, at)`). SQLite knows no zones, so
the instant is shifted by the zone's UTC offset of its time, chosen by a balanced tree of
comparisons with the zone's offset changes (read from `zoneinfo` for the years 1970 to
2100): a few comparisons a value, instead of one per change. Instants are stored in UTC as
text in SQLAlchemy's format ('YYYY-MM-DD HH:MM:SS.ffffff'), which sorts as time does, so
the changes are compared as text in that same format.

>>> [(at.isoformat(), seconds) for at, seconds in offset_changes("America/Los_Angeles")[-2:]]
[('2100-03-14T10:00:00', -25200), ('2100-11-07T09:00:00', -28800)]
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

FIRST_YEAR, LAST_YEAR = 1970, 2100
STORED = "%Y-%m-%d %H:%M:%S.%f"


class LocalDate(FunctionElement[date]):
    """The date it was in `zone` at the instant `at` (a `UTCDateTime` column)."""

    type = Date()
    inherit_cache = True
    name = "local_date"

    def __init__(self, at: Any, zone: str) -> None:
        self.zone = zone
        super().__init__(at)


@compiles(LocalDate, "postgresql")
def _local_date_postgres(element: LocalDate, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = element.clauses
    zone: Any = literal_column(_quoted(element.zone))
    return f"CAST(timezone({compiler.process(zone, **kw)}, {compiler.process(at, **kw)}) AS DATE)"


@compiles(LocalDate)
def _local_date_sqlite(element: LocalDate, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = element.clauses
    return _tree(compiler.process(at, **kw), offset_changes(element.zone))


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tree(at: str, changes: tuple[tuple[datetime, int], ...]) -> str:
    """`date(at + offset)` where the offset is that of the last change at or before `at`."""
    if len(changes) == 1:
        return f"date({at}, '{changes[0][1]:+d} seconds')"
    middle = len(changes) // 2
    edge = _quoted(changes[middle][0].strftime(STORED))
    return (
        f"CASE WHEN {at} < {edge} THEN {_tree(at, changes[:middle])} "
        f"ELSE {_tree(at, changes[middle:])} END"
    )


@lru_cache(maxsize=8)
def offset_changes(zone_name: str) -> tuple[tuple[datetime, int], ...]:
    """(naive UTC instant, offset in seconds from then on) of each change of the zone's
    offset between 1970 and 2100, after the offset at the start of 1970."""
    zone = ZoneInfo(zone_name)

    def offset(at: datetime) -> int:
        shift = at.astimezone(zone).utcoffset()
        return int(shift.total_seconds()) if shift is not None else 0

    moment = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    changes = [(moment.replace(tzinfo=None), offset(moment))]
    day = timedelta(days=1)
    while moment.year <= LAST_YEAR:
        later = moment + day
        if offset(later) != changes[-1][1]:
            low, high = moment, later  # the change lies in (low, high]: bisect to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if offset(middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            changes.append((high.replace(tzinfo=None), offset(high)))
        moment = later
    return tuple(changes)
