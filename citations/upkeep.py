"""What daily processing does for the database itself, before its own transaction and each
step in a short transaction of its own (PostgreSQL; nothing on SQLite): next year's
partitions, and the planner's statistics of the partitioned tables as wholes.

Partitions: made inside processing's long transaction, a new year's partitions took locks
on every partitioned parent in the middle of its work, and a payment written meanwhile could
deadlock with it. Made first, in a short transaction, they are there when processing
starts (`ensure_years_around` in `process` then finds them; it stays for callers of the
library that skip this).

Statistics: autovacuum analyzes each partition as it fills, but never a partitioned table's
parent (PostgreSQL's documentation: "run a manual ANALYZE when it is first populated, and
again whenever the distribution of data in its partitions changes significantly"). A query
that joins a parent takes its figures (how many citations a person has, how many rows an id
matches) from the parent's statistics; without them the planner takes defaults that can make
a lookup of a few rows a scan of the whole table. So every parent not analyzed within
`STALE_AFTER` is analyzed. ANALYZE samples a fixed number of rows (300 times the statistics
target), so its cost does not grow with the table; on PostgreSQL 15 and 16 analyzing a parent
analyzes its partitions too (`ANALYZE ONLY` is PostgreSQL 17's), hence once a week.

A step whose lock is not free within `LOCK_WAIT` (a year being detached, another ANALYZE, a
request's transaction that read the table) is left: processing makes missing partitions
itself, and the next run takes the statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from citations.partitions import TABLES, ensure_years_around

STALE_AFTER: Final = timedelta(days=7)
LOCK_WAIT: Final = "5s"

T = TypeVar("T")

_STALE = text(
    """
    SELECT c.relname FROM pg_class c
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE c.relkind = 'p' AND c.relnamespace = current_schema()::regnamespace
      AND c.relname = ANY(:tables)
      AND coalesce(greatest(s.last_analyze, s.last_autoanalyze), '-infinity')
          < now() - make_interval(secs => :seconds)
    ORDER BY c.relname
    """
)
"""Never analyzed (or not since the statistics were reset: a crash, pg_stat_reset), or not
within `STALE_AFTER`, by the database's clock."""


@dataclass
class Upkeep:
    partitions: list[str] = field(default_factory=list)
    """The partitions made."""
    analyzed: list[str] = field(default_factory=list)
    """The partitioned tables analyzed."""
    left: list[str] = field(default_factory=list)
    """What waited `LOCK_WAIT` for a lock in vain, for the next run."""

    def line(self) -> str | None:
        """What an operator reads after processing; None when there was nothing to do."""
        said = []
        if self.partitions:
            said.append(f"{len(self.partitions)} partitions made")
        if self.analyzed:
            said.append(f"{len(self.analyzed)} partitioned tables analyzed")
        if self.left:
            said.append(f"left for the next run, its lock busy: {', '.join(self.left)}")
        return "Upkeep: " + "; ".join(said) + "." if said else None


def upkeep(engine: Engine, now: datetime) -> Upkeep:
    """Daily processing's first step: the partitions of the years around `now`, then the
    statistics of every parent not analyzed within `STALE_AFTER`."""
    done = Upkeep()
    if engine.dialect.name != "postgresql":
        return done
    made = _within_wait(engine, lambda connection: ensure_years_around(connection, now))
    if made is None:
        done.left.append("partitions")
    else:
        done.partitions = made
    stale = stale_parents(engine)
    done.analyzed = analyze(engine, stale)
    done.left += [table for table in stale if table not in done.analyzed]
    return done


def stale_parents(engine: Engine) -> list[str]:
    """The partitioned tables not analyzed within `STALE_AFTER`."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        return list(
            connection.scalars(
                _STALE, {"tables": list(TABLES), "seconds": STALE_AFTER.total_seconds()}
            )
        )


def analyze(engine: Engine, tables: Iterable[str]) -> list[str]:
    """ANALYZE each of `tables` (a parent with its partitions) in its own transaction;
    returns those analyzed, without those whose lock did not come within `LOCK_WAIT`.
    Nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        return []
    analyzed = []
    for table in tables:
        if _within_wait(engine, _analyzer(table)) is not None:
            analyzed.append(table)
    return analyzed


def _analyzer(table: str) -> Callable[[Connection], bool]:
    def run(connection: Connection) -> bool:
        connection.exec_driver_sql(f"ANALYZE {table}")
        return True

    return run


def _within_wait(engine: Engine, work: Callable[[Connection], T]) -> T | None:
    """`work` in a transaction of its own that waits at most `LOCK_WAIT` for any lock;
    None, the transaction rolled back, when a lock did not come."""
    with engine.connect() as connection:
        try:
            with connection.begin():
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
                return work(connection)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
                raise
            return None
