"""A year of records: which rows of each table are a year's (citations.partitions).

A year's cases are the citations and intake records whose ids carry the year, and every row
that hangs from them: their ledger entries and documents (in the same year's partitions),
and the rows of the other tables that name one of those citations, directly or through a
parent (a hearing through its contest). The year's audit events are those the database
wrote that year. Every other table (agencies, the catalog, staff, docket sessions) is
reference data, exported whole so that a year's file restores on its own.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, and_, select, true

from citations.partitions import TABLES, first_id
from citations.schema import METADATA


def _in_year(column: ColumnElement[int], year: int) -> ColumnElement[bool]:
    return and_(column >= first_id(year), column < first_id(year + 1))


def year_scope(table: Table, year: int) -> ColumnElement[bool] | None:
    """The condition on `table`'s rows that are `year`'s; None for reference data."""
    if table.name in TABLES:
        return _in_year(table.c.id, year)
    if "citation_id" in table.c:
        return _in_year(table.c.citation_id, year)
    for foreign_key in table.foreign_keys:
        parent = foreign_key.column.table
        if parent is table or not isinstance(parent, Table):
            continue
        scope = year_scope(parent, year)
        if scope is not None:
            return foreign_key.parent.in_(select(foreign_key.column).where(scope))
    return None


def case_tables() -> list[Table]:
    """The tables that hold a year's rows outside the partitions, children first (the order
    their rows must be removed in before the partitions are detached)."""
    return [
        table
        for table in reversed(METADATA.sorted_tables)
        if table.name not in TABLES and year_scope(table, 1) is not None
    ]


def scoped(table: Table, year: int | None) -> ColumnElement[bool]:
    """The export's condition for `table`: all rows without a year."""
    if year is None:
        return true()
    scope = year_scope(table, year)
    return true() if scope is None else scope
