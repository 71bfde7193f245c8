"""Years of records on PostgreSQL: `intake_records`, `citations`, `ledger_entries`,
`sent_documents` and `audit_events` become tables partitioned by RANGE of their id, whose
ids carry their year (citations.partitions). SQLite: nothing changes.

No row is copied. Each table as it was becomes its parent's `_before` partition (ids below
the first year's), attached under the parent, with its indexes attached to the parent's;
the foreign keys to and from it, and the report's triggers (0019), move to the parent. The
unique keys that do not hold the id stay on each partition (citations.partitions).
`citations db upgrade` then makes the partitions of last, this and next year. On both
backends, `audit_retired` records where a retired year's audit events ended in each lane.

The ids, and every column naming them, become 64-bit (a year's first id is year x 10^12).
Downgrading turns each parent back into one plain table (the `_before` partition, with the
other partitions' rows copied into it); the columns stay 64-bit.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

import re
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection, text

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = (
    "intake_records",
    "citations",
    "ledger_entries",
    "sent_documents",
    "citation_violations",
    "citation_identifiers",
    "citation_revisions",
    "access_codes",
    "outbox_messages",
    "person_sessions",
    "person_requests",
    "ability_requests",
    "payment_plans",
    "plan_installments",
    "service_assignments",
    "service_hours",
    "diversion_referrals",
    "collection_referrals",
    "contests",
    "recusals",
    "hearings",
    "orders",
    "payments",
    "provider_payments",
    "mailings",
    "audit_events",
)
"""Every table of a case, parents first, and the audit trail (citations.partitions)."""
YEAR_SPAN = 10**12
AUDIT_ID_DEFAULT = (
    f"(extract(year FROM statement_timestamp() AT TIME ZONE 'UTC')::bigint * {YEAR_SPAN}"
    " + nextval('audit_events_id_seq'))"
)


class Moved(NamedTuple):
    """What must be taken off the tables before they change, and put back after."""

    foreign_keys: list[tuple[str, str, str]]  # (table, constraint, definition)
    triggers: list[tuple[str, str, str]]  # (table, trigger, definition)
    indexes: dict[str, list[tuple[str, str, bool]]]  # table: [(index, definition, primary)]


def _collect(connection: Connection, tables: tuple[str, ...]) -> Moved:
    names = list(tables)
    foreign_keys = connection.execute(
        text(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "LEFT JOIN pg_class r ON r.oid = c.confrelid "
            "WHERE c.contype = 'f' AND c.conparentid = 0 "
            "AND (t.relname = ANY(:names) OR r.relname = ANY(:names)) "
            "AND t.relnamespace = current_schema()::regnamespace"
        ),
        {"names": names},
    ).all()
    triggers = connection.execute(
        text(
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND c.relname = ANY(:names) "
            "AND c.relnamespace = current_schema()::regnamespace"
        ),
        {"names": names},
    ).all()
    indexes: dict[str, list[tuple[str, str, bool]]] = {table: [] for table in tables}
    for table, index, definition, primary in connection.execute(
        text(
            "SELECT t.relname, i.relname, pg_get_indexdef(i.oid), x.indisprimary FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = ANY(:names) AND t.relnamespace = current_schema()::regnamespace"
        ),
        {"names": names},
    ).all():
        indexes[table].append((index, definition, primary))
    return Moved(
        [(str(a), str(b), str(c)) for a, b, c in foreign_keys],
        [(str(a), str(b), str(c)) for a, b, c in triggers],
        indexes,
    )


def _take_off(connection: Connection, moved: Moved) -> None:
    for table, name, _ in moved.foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for table, name, _ in moved.triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}" ON {table}')


def _put_back(connection: Connection, moved: Moved) -> None:
    for table, name, definition in moved.foreign_keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, _, definition in moved.triggers:
        connection.exec_driver_sql(definition)


REFERENCE = re.compile(r"FOREIGN KEY \((\w+)\) REFERENCES (?:public\.)?(\w+)\(id\)")


def _widen(connection: Connection, moved: Moved) -> None:
    """Ids that carry a year need 64 bits: the tables' ids and every column naming them."""
    columns = {(table, "id") for table in TABLES}
    for table, _, definition in moved.foreign_keys:
        found = REFERENCE.search(definition)
        if found and found[2] in TABLES:
            columns.add((table, found[1]))
    for table, column in sorted(columns):
        connection.exec_driver_sql(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bigint")
    for table in TABLES:
        connection.exec_driver_sql(f"ALTER SEQUENCE {table}_id_seq AS bigint")


def upgrade() -> None:
    op.create_table(
        "audit_retired",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("lane", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("through", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", "lane", name=op.f("pk_audit_retired")),
    )
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    moved = _collect(connection, TABLES)
    _take_off(connection, moved)
    _widen(connection, moved)
    for table in TABLES:
        before = f"{table}_before"
        connection.exec_driver_sql(f"ALTER TABLE {table} RENAME TO {before}")
        for index, _, _ in moved.indexes[table]:
            connection.exec_driver_sql(f'ALTER INDEX "{index}" RENAME TO "{index}_before"')
        connection.exec_driver_sql(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
        connection.exec_driver_sql(
            f"CREATE TABLE {table} (LIKE {before} INCLUDING DEFAULTS) PARTITION BY RANGE (id)"
        )
        default = AUDIT_ID_DEFAULT if table == "audit_events" else None
        connection.exec_driver_sql(
            f"ALTER TABLE {table} ALTER COLUMN id "
            + (f"SET DEFAULT {default}" if default else "DROP DEFAULT")
        )
        connection.exec_driver_sql(
            f"ALTER TABLE {table} ATTACH PARTITION {before} "
            f"FOR VALUES FROM (MINVALUE) TO ({YEAR_SPAN})"
        )
        for index, definition, primary in moved.indexes[table]:
            if primary:
                connection.exec_driver_sql(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{index}" PRIMARY KEY (id)'
                )
            elif not definition.startswith("CREATE UNIQUE"):
                connection.exec_driver_sql(definition)  # attaches the partition's own
    _put_back(connection, moved)


def downgrade() -> None:
    op.drop_table("audit_retired")
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    moved = _collect(connection, TABLES)
    _take_off(connection, moved)
    for table in TABLES:
        before = f"{table}_before"
        connection.exec_driver_sql(f"ALTER TABLE {table} DETACH PARTITION {before}")
        years = connection.scalars(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :table"
            ),
            {"table": table},
        ).all()
        for partition in years:
            connection.exec_driver_sql(f"INSERT INTO {before} SELECT * FROM {partition}")
        connection.exec_driver_sql(f"DROP TABLE {table} CASCADE")
        connection.exec_driver_sql(f"ALTER TABLE {before} RENAME TO {table}")
        for index in connection.scalars(
            text("SELECT indexname FROM pg_indexes WHERE tablename = :table"), {"table": table}
        ).all():
            if index.endswith("_before"):
                connection.exec_driver_sql(
                    f'ALTER INDEX "{index}" RENAME TO "{index.removesuffix("_before")}"'
                )
        connection.exec_driver_sql(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
        connection.exec_driver_sql(
            f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')"
        )
    _put_back(connection, moved)
