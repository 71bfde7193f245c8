"""A bulk load for the benches that seed millions of citations, as PostgreSQL's "Populating
a Database" advises: secondary indexes and foreign keys dropped before and made again after
(building an index over loaded rows is far cheaper than growing it row by row; adding a key
checks every row in one join instead of one query per row), and the seed's connections with
`session_replication_role = replica`, which fires no triggers (`SEED_OPTIONS`).

Only the partitioned parents' plain indexes go: primary keys and unique constraints stay,
and so do the indexes the seed's own closing updates read (`KEPT`). With no triggers, no
report day is marked stale: the bench rebuilds the aggregates from the rows afterwards.
What the benches then measure runs with every index, key and trigger in place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

KEPT = {"ix_citations_subject", "ix_ledger_entries_citation"}
"""The seed's next-citation-day and balance updates find a person's citations and a
citation's ledger through them."""
SEED_OPTIONS = "%20-csession_replication_role%3Dreplica"
"""Appended to a URL's `options=` for the seed's engine: no triggers fire (a superuser's
setting; the test server's `postgres` is one)."""


def drop(connection: Any, schema: str) -> list[str]:
    """Drop the schema's droppable indexes on partitioned tables; their definitions, to
    `restore`."""
    rows = connection.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = :schema AND t.relkind = 'p' AND NOT x.indisunique "
            "AND NOT x.indisprimary ORDER BY 1"
        ),
        {"schema": schema},
    ).all()
    dropped = [(name, definition) for name, definition in rows if name not in KEPT]
    for name, _ in dropped:
        connection.execute(text(f'DROP INDEX "{schema}"."{name}"'))
    # Each row's foreign-key check is a query of its own into a partitioned parent; adding
    # the key back checks every row in one join.
    keys = connection.execute(
        text(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = :schema AND c.contype = 'f' AND c.conparentid = 0 ORDER BY 1, 2"
        ),
        {"schema": schema},
    ).all()
    for table, name, _ in keys:
        connection.execute(text(f'ALTER TABLE "{schema}"."{table}" DROP CONSTRAINT "{name}"'))
    # A partitioned index's definition reads "ON ONLY parent", which would make it on the
    # parent alone, invalid, and none on the partitions.
    return [definition.replace(" ON ONLY ", " ON ", 1) for _, definition in dropped] + [
        f'ALTER TABLE "{schema}"."{table}" ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in keys
    ]


def restore(connection: Any, definitions: list[str]) -> None:
    """Make the dropped indexes and keys again, in the connection's transaction. Its
    search_path must name the schema: a key's definition names the table it references
    without one."""
    # The default 64 MB sorts a large index's entries on disk in many runs.
    connection.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    for definition in definitions:
        connection.execute(text(definition))
    invalid = connection.execute(
        text("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid")
    ).scalars()
    assert not list(invalid), "an index was made on a parent alone"
