"""Years of records on PostgreSQL: every table of a case, and the audit trail, one
partition per year.

The intake records, the citations, every table that hangs from a citation (its ledger,
documents, violations, payments, hearings, reminders...) and the audit events are
partitioned by RANGE of their id (migration 0021), and an id carries its year: the year's
first id is `year * YEAR_SPAN` and the rest is a number from the table's sequence. So the
primary keys stay single columns, every foreign key stays as it was, and a closed year's
partitions are exported and detached whole, with no delete (citations.export.retire).

The year of a row:
- an intake record and its citation: the year of the violation's local date (a message
  sent again, even in the next January, lands in the same partition, whose unique index on
  the message id then refuses it);
- every row of a case: its citation's year (through its parent: a hearing its contest's), so
  a case's money, papers and hearings stay with it, whenever they were written;
- an audit event: the year the database wrote it (UTC), set by the column's default, so that
  each lane's events stay in id order (citations.audit.verify reads them in that order).

The attachments are not partitioned: an officer's photo can come before its citation. A
retired year's attachment rows are removed with it (their files stay in the files store).

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

from sqlalchemy import Connection, Engine, event, inspect, text
from sqlalchemy.orm import Session

YEAR_SPAN: Final = 10**12
"""Ids of a year: a trillion per table (below JavaScript's exact integers until year 9007)."""
BEFORE: Final = 0
"""The year number of the partition of rows written before partitions (ids below YEAR_SPAN)."""

YEAR_FROM: Final[dict[str, str | None]] = {
    "intake_records": None,
    "citations": None,
    "ledger_entries": "citation_id",
    "sent_documents": "citation_id",
    "citation_violations": "citation_id",
    "citation_identifiers": "citation_id",
    "citation_revisions": "citation_id",
    "access_codes": "citation_id",
    "outbox_messages": "citation_id",
    "person_sessions": "citation_id",
    "person_requests": "citation_id",
    "ability_requests": "citation_id",
    "payment_plans": "citation_id",
    "plan_installments": "plan_id",
    "service_assignments": "citation_id",
    "service_hours": "assignment_id",
    "diversion_referrals": "citation_id",
    "collection_referrals": "citation_id",
    "contests": "citation_id",
    "recusals": "citation_id",
    "hearings": "contest_id",
    "orders": "citation_id",
    "payments": "citation_id",
    "provider_payments": "citation_id",
    "mailings": "citation_id",
}
"""The partitioned tables of a case, parents first, each with the column whose id gives a
new row its year (None: the intake record's and citation's own violation day)."""
CASE_TABLES: Final = tuple(YEAR_FROM)
AUDIT_TABLE: Final = "audit_events"
TABLES: Final = (*CASE_TABLES, AUDIT_TABLE)
"""Every partitioned table, parents first."""

AUDIT_ID_DEFAULT: Final = (
    f"(extract(year FROM statement_timestamp() AT TIME ZONE 'UTC')::bigint * {YEAR_SPAN}"
    " + nextval('audit_events_id_seq'))"
)


def first_id(year: int) -> int:
    """The first id of a year.

    >>> first_id(2026)
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
    """A year's partition of a table.

    >>> partition_name("citations", 2026), partition_name("citations", BEFORE)
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
    # Only this year's and later partitions are known for sure: an earlier year may have
    # been retired by another process since (citations.export.retire), so the catalog is
    # asked again (a late message of a retired year makes its partitions anew).
    this_year = datetime.now(UTC).year
    if have is not None and all(year in have and year >= this_year for year in wanted):
        return []
    existing = partitions(connection)
    made = []
    for table in TABLES:
        missing = [year for year in wanted if year not in existing[table]]
        if not missing:
            continue
        unique = _partition_unique_keys(connection, table)
        for year in missing:
            name = partition_name(table, year)
            connection.exec_driver_sql(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
                f"FOR VALUES FROM ({first_id(year)}) TO ({first_id(year + 1)})"
            )
            for index, columns in unique:
                connection.exec_driver_sql(
                    f'CREATE UNIQUE INDEX IF NOT EXISTS "{name}_{index}" ON {name} ({columns})'
                )
            made.append(name)
    complete = set.intersection(*(existing[table] | set(wanted) for table in TABLES))
    _KNOWN[engine] = complete
    return made


def _partition_unique_keys(connection: Connection, table: str) -> list[tuple[str, str]]:
    """The unique keys a table keeps on each partition, as the `_before` partition has them
    (migration 0021 left them there): PostgreSQL cannot declare on a parent partitioned by
    id a unique key without the id. A key that names the citation (or the parent) is unique
    in the whole table, as its rows share one partition; the others (a citation number, a
    message id, a receipt number, a hash) are unique within a year, their values coming
    from sequences, random keys or a message that always carries the same violation day.
    Returns (short name, column list)."""
    rows = connection.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = :partition AND x.indisunique AND NOT x.indisprimary "
            "AND t.relnamespace = current_schema()::regnamespace ORDER BY i.relname"
        ),
        {"partition": partition_name(table, BEFORE)},
    ).all()
    keys = []
    for index, definition in rows:
        columns = str(definition).rsplit("(", 1)[1].rstrip(")")
        short = str(index).removesuffix("_before").removeprefix(f"{table}_")
        keys.append((short[-40:], columns))
    return keys


def ensure_years_around(connection: Connection, now: datetime | None = None) -> list[str]:
    """This year's and next year's partitions (and last year's, for late messages), by the
    application's clock and by the database's, whose year the audit events take."""
    year = (now or datetime.now(UTC)).year
    if not is_partitioned(connection):
        return []
    written = database_year(connection)
    # Every year between the two clocks too: they agree in production, but a clock set apart
    # (a test's pinned day against the server's) must not leave a year a writer meets.
    return ensure_years(connection, list(range(min(year, written) - 1, max(year, written) + 2)))


def database_year(connection: Connection) -> int:
    """The UTC year by the database server's clock: the year an audit event written now takes
    (its id's default), which may differ from the application's clock."""
    return int(
        connection.scalar(
            text("SELECT extract(year FROM statement_timestamp() AT TIME ZONE 'UTC')")
        )
    )


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


def with_parent_ids(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """`with_ids` for rows of a case's table, each of its parent's year (YEAR_FROM)."""
    if rows and is_partitioned(connection):
        column = YEAR_FROM[table]
        assert column is not None
        with_ids(connection, table, rows, [year_of_id(int(row[column])) for row in rows])


# The ORM's new rows ----------------------------------------------------------------------


def _year(instance: Any, table: str) -> int:
    if table == "citations":
        return int(instance.violation_date.year)
    if table == "intake_records":
        # Writers that know the local day set the id themselves (citations.issuing.write);
        # this is for any other: the violation's UTC year.
        return int(instance.violation_at.astimezone(UTC).year)
    column = YEAR_FROM[table]
    assert column is not None
    parent_id = getattr(instance, column)
    if parent_id is None:  # only the relationship is set yet: its object's id
        mapper = inspect(type(instance))
        for relationship in mapper.relationships:
            if any(local.key == column for local in relationship.local_columns):
                related = getattr(instance, relationship.key)
                parent_id = None if related is None else related.id
                break
    if parent_id is None:
        raise ValueError(f"a new row of {table} names no {column}: its year is unknown")
    return year_of_id(int(parent_id))


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
    # Parents first: a child's year is read from its parent's id, assigned just before.
    # One round trip per table with new rows.
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
    if type_ in ("unique_constraint", "index") and not reflected and compare_to is None:
        # A unique key the parent lacks: on a partitioned database, each partition has it.
        table = getattr(item, "table", None)
        columns = {column.name for column in getattr(item, "columns", ())}
        unique = type_ == "unique_constraint" or bool(getattr(item, "unique", False))
        if unique and table is not None and table.name in TABLES and "id" not in columns:
            return False
    return True
