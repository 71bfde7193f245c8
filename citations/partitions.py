"""Years of records on PostgreSQL: the five large tables, one partition per year.

`intake_records`, `citations`, `ledger_entries`, `sent_documents` and `audit_events` are
partitioned by RANGE of their id (migration 0021), and an id carries its year: the year's
first id is `year * YEAR_SPAN` and the rest is a number from the table's sequence. So the
primary keys stay single columns, every foreign key to these tables stays as it was, and a
year's partitions can be exported and detached whole (citations.retention).

The year of a row:
- an intake record and its citation: the year of the violation's local date (a message
  sent again, even in the next January, lands in the same partition, whose unique index on
  the message id then refuses it);
- a ledger entry and a sent document: their citation's year, so a case's money and papers
  stay with it, whenever they were written;
- an audit event: the year the database wrote it (UTC), set by the column's default, so that
  each lane's events stay in id order (citations.audit.verify reads them in that order).

Rows written before the partitions (and rows restored from an export of such a database, or
of SQLite) keep their small ids: they are the `_before` partition's.

SQLite stays as it is: nothing here runs there (`partitioned` is False).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

YEAR_SPAN: Final = 10**12
"""Ids of a year: a trillion per table (below JavaScript's exact integers until year 9007)."""
BEFORE: Final = 0
"""The year number of the partition of rows written before partitions (ids below YEAR_SPAN)."""

CASE_TABLES: Final = ("intake_records", "citations", "ledger_entries", "sent_documents")
"""Partitioned tables whose ids the application assigns, parents first."""
AUDIT_TABLE: Final = "audit_events"
TABLES: Final = (*CASE_TABLES, AUDIT_TABLE)

PER_PARTITION_UNIQUE: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "intake_records": (("message_id",),),
    "citations": (("number",),),
    "sent_documents": (("citation_id", "kind", "about"),),
    "audit_events": (("hash",),),
}
"""Unique keys PostgreSQL cannot declare on a parent partitioned by id: each partition has
its own unique index. A sent document's key names its citation, which fixes its partition,
so that one is unique in the whole table; the others are unique within a year (a citation
number comes from the agency's sequence; a message id sent again carries the same violation
day; an event's hash chains every earlier one)."""

AUDIT_ID_DEFAULT: Final = (
    f"(extract(year FROM statement_timestamp() AT TIME ZONE 'UTC')::bigint * {YEAR_SPAN}"
    " + nextval('audit_events_id_seq'))"
)


def first_id(year: int) -> int:
    """>>> first_id(2026)
    2026000000000000
    """
    return year * YEAR_SPAN


def year_of_id(row_id: int) -> int:
    """The year an id carries (BEFORE for an id written before partitions).

    >>> year_of_id(2026000000000042), year_of_id(42)
    (2026, 0)
    """
    return row_id // YEAR_SPAN


def partition_name(table: str, year: int) -> str:
    """>>> partition_name("citations", 2026), partition_name("citations", BEFORE)
    ('citations_y2026', 'citations_before')
    """
    return f"{table}_before" if year == BEFORE else f"{table}_y{year:04d}"


_PARTITION = re.compile(r"^(?P<table>[a-z_]+?)_(?:y(?P<year>\d{4})|before)$")


def partition_year(name: str) -> tuple[str, int] | None:
    """(parent table, year) of a partition's name, or None for any other table.

    >>> partition_year("ledger_entries_y2027"), partition_year("citations_before")
    (('ledger_entries', 2027), ('citations', 0))
    >>> partition_year("citations") is None
    True
    """
    match = _PARTITION.match(name)
    if match is None or match["table"] not in TABLES:
        return None
    return match["table"], int(match["year"]) if match["year"] else BEFORE


# Whether a database is partitioned, and its years, read once per engine --------------------

_KNOWN: WeakKeyDictionary[Engine, set[int]] = WeakKeyDictionary()
"""Per engine: the years every partitioned table has a partition for."""
_PARTITIONED: WeakKeyDictionary[Engine, bool] = WeakKeyDictionary()


def forget(engine: Engine) -> None:
    """Read again on next use (after a migration or a detach)."""
    _KNOWN.pop(engine, None)
    _PARTITIONED.pop(engine, None)


def is_partitioned(connection: Connection) -> bool:
    """Whether this database's large tables are partitioned (PostgreSQL after 0021)."""
    engine = connection.engine
    known = _PARTITIONED.get(engine)
    if known is None:
        known = connection.dialect.name == "postgresql" and bool(
            connection.scalar(
                text(
                    "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p "
                    "JOIN pg_class c ON c.oid = p.partrelid "
                    "WHERE c.relname = 'citations' "
                    "AND c.relnamespace = current_schema()::regnamespace)"
                )
            )
        )
        _PARTITIONED[engine] = known
    return known


def partitions(connection: Connection) -> dict[str, set[int]]:
    """Each partitioned table's years (BEFORE included), from the catalog."""
    rows = connection.execute(
        text(
            "SELECT parent.relname, child.relname FROM pg_inherits i "
            "JOIN pg_class parent ON parent.oid = i.inhparent "
            "JOIN pg_class child ON child.oid = i.inhrelid "
            "WHERE parent.relnamespace = current_schema()::regnamespace"
        )
    ).all()
    found: dict[str, set[int]] = {table: set() for table in TABLES}
    for parent, child in rows:
        named = partition_year(child)
        if parent in found and named is not None and named[0] == parent:
            found[parent].add(named[1])
    return found


def ensure_years(connection: Connection, years: Iterable[int]) -> list[str]:
    """Make every partitioned table's partition of each year that lacks one; returns the
    partitions made. Each takes a brief lock on its parent: daily processing and `citations
    db upgrade` make next year's ahead of time, so writers meet this only for an old year
    an offline device sends late."""
    wanted = sorted({year for year in years if year != BEFORE})
    if not wanted or not is_partitioned(connection):
        return []
    engine = connection.engine
    have = _KNOWN.get(engine)
    if have is not None and all(year in have for year in wanted):
        return []
    existing = partitions(connection)
    made = []
    for table in TABLES:
        for year in wanted:
            if year in existing[table]:
                continue
            name = partition_name(table, year)
            connection.exec_driver_sql(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
                f"FOR VALUES FROM ({first_id(year)}) TO ({first_id(year + 1)})"
            )
            for columns in PER_PARTITION_UNIQUE.get(table, ()):
                connection.exec_driver_sql(
                    f"CREATE UNIQUE INDEX IF NOT EXISTS uq_{name}_{'_'.join(columns)} "
                    f"ON {name} ({', '.join(columns)})"
                )
            made.append(name)
    complete = set.intersection(*(existing[table] | set(wanted) for table in TABLES))
    _KNOWN[engine] = complete
    return made


def ensure_years_around(connection: Connection, now: datetime | None = None) -> list[str]:
    """This year's and next year's partitions (and last year's, for late messages)."""
    year = (now or datetime.now(UTC)).year
    return ensure_years(connection, [year - 1, year, year + 1])


def next_ids(connection: Connection, table: str, years: list[int]) -> list[int]:
    """New ids for rows of `table`, one per year given (in order), from the table's
    sequence in one round trip; the years' partitions are made if missing."""
    if not years:
        return []
    ensure_years(connection, years)
    numbers = connection.scalars(
        text(f"SELECT nextval('{table}_id_seq') FROM generate_series(1, :n)"),
        {"n": len(years)},
    ).all()
    return [first_id(year) + number for year, number in zip(years, numbers, strict=True)]


def with_ids(
    connection: Connection, table: str, rows: list[dict[str, Any]], years: list[int]
) -> None:
    """Give bulk-inserted rows their ids (nothing on an unpartitioned database, whose ids the
    database assigns)."""
    if rows and is_partitioned(connection):
        for row, row_id in zip(rows, next_ids(connection, table, years), strict=True):
            row["id"] = row_id


# The ORM's new rows ----------------------------------------------------------------------


def _year(instance: Any, table: str) -> int:
    if table == "citations":
        return int(instance.violation_date.year)
    if table == "intake_records":
        # Writers that know the local day set the id themselves (citations.issuing.write);
        # this is for any other: the violation's UTC year.
        return int(instance.violation_at.astimezone(UTC).year)
    citation_id = instance.citation_id
    related = getattr(instance, "citation", None)
    if citation_id is None and related is not None:
        citation_id = related.id
    if citation_id is None:
        raise ValueError(f"a new row of {table} names no citation")
    return year_of_id(int(citation_id))


@event.listens_for(Session, "before_flush")
def _assign_ids(session: Session, _context: Any, _instances: Any) -> None:
    """Ids for the new rows of the partitioned case tables, citations before the rows that
    name them (a flush inserts them in that order too)."""
    pending: dict[str, list[Any]] = {}
    for instance in session.new:
        table = getattr(type(instance), "__tablename__", None)
        if table in CASE_TABLES and instance.id is None:
            pending.setdefault(table, []).append(instance)
    if not pending:
        return
    connection = session.connection()
    if not is_partitioned(connection):
        return
    for table in CASE_TABLES:
        instances = pending.get(table, [])
        years = [_year(instance, table) for instance in instances]
        for instance, row_id in zip(instances, next_ids(connection, table, years), strict=True):
            instance.id = row_id


def compared(item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's `include_object` for comparing the models with a partitioned database: a
    year's partition is its table's, and the unique keys kept on each partition instead of
    the parent are the models' `unique=True` (citations.partitions)."""
    if type_ == "table" and name is not None and partition_year(name) is not None:
        return False
    if type_ == "foreign_key_constraint" and reflected:
        # PostgreSQL lists a foreign key to a partitioned table once more per partition.
        referred = item.elements[0].target_fullname.split(".")[-2] if item.elements else ""
        return partition_year(referred) is None
    if type_ in ("unique_constraint", "index") and not reflected:
        table = getattr(item, "table", None)
        columns = tuple(column.name for column in getattr(item, "columns", ()))
        unique = type_ == "unique_constraint" or bool(getattr(item, "unique", False))
        if unique and table is not None and columns in PER_PARTITION_UNIQUE.get(table.name, ()):
            return not _partitioned_hint(compare_to)
    return True


def _partitioned_hint(compare_to: Any) -> bool:
    # Alembic passes no reflected counterpart for a key the database lacks; on a partitioned
    # database every such key is missing from its parent, which is what is allowed here.
    return compare_to is None
