"""The planner's statistics of the partitioned tables as wholes, kept by daily processing.

Autovacuum analyzes each partition as it fills, but never a partitioned table's parent
(PostgreSQL's documentation: "run a manual ANALYZE when it is first populated, and again
whenever the distribution of data in its partitions changes significantly"). A query that
joins a parent takes its figures (how many citations a person has, how many rows an id
matches) from the parent's statistics; without them the planner takes defaults that can
make a lookup of a few rows a scan of the whole table. So daily processing analyzes every
parent that has no statistics, or whose last were taken more than `STALE_AFTER` ago.

ANALYZE samples a fixed number of rows (300 times the statistics target), so its cost does
not grow with the table. On PostgreSQL 15 and 16 analyzing a parent analyzes its partitions
too (`ANALYZE ONLY` is PostgreSQL 17's), hence once a week, not every day. Each table is
analyzed in its own short transaction, outside processing's, and one whose lock is not free
within `LOCK_WAIT` (a year being detached, another ANALYZE) is left for the next run.

SQLite: nothing to do (its planner reads `sqlite_stat1`, which nothing here depends on).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Final

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from citations.partitions import TABLES

STALE_AFTER: Final = timedelta(days=7)
LOCK_WAIT: Final = "5s"

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


def stale_parents(engine: Engine) -> list[str]:
    """The partitioned tables not analyzed within `STALE_AFTER`."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        return list(
            connection.scalars(
                _STALE,
                {"tables": list(TABLES), "seconds": STALE_AFTER.total_seconds()},
            )
        )


def refresh_statistics(engine: Engine) -> list[str]:
    """ANALYZE each stale parent (`stale_parents`); returns those analyzed."""
    return analyze(engine, stale_parents(engine))


def analyze(engine: Engine, tables: Iterable[str]) -> list[str]:
    """ANALYZE each of `tables` (a parent with its partitions) in its own transaction;
    returns those analyzed. A table whose lock did not come within `LOCK_WAIT` is skipped:
    the next run takes it. Nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        return []
    analyzed = []
    for table in tables:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_WAIT}'")
            try:
                connection.exec_driver_sql(f"ANALYZE {table}")
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
                    raise
                continue
            finally:
                connection.exec_driver_sql("RESET lock_timeout")
            analyzed.append(table)
    return analyzed
