"""The program report's daily aggregates, and triggers that mark a day stale when anything
the report counts changes on it (`citations.record.daily`).

On PostgreSQL each trigger runs once per statement and reads the statement's rows from its
transition tables, so a bulk insert of thousands of ledger entries adds one mark per
violation day, not one per row; marks are appended (no unique day), so writers never wait on
one another. A transaction marks a day once (statements run once per row by executemany would
each mark it); it must not skip a day another transaction marked, as a refresh running
meanwhile may have read that mark and not this change. SQLite has only row triggers, which
skip a mark already there (SQLite has one writer at a time, and a refresh whose snapshot is
older than a commit cannot write).

Every day that has citations or intake records when this runs is marked stale, so the report
reads them from the rows (exact, as slow as before) until `citations reports rebuild` or
daily processing computes their aggregates.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ALL = "INSERT UPDATE DELETE"
LINKS: dict[str, tuple[str, str, str]] = {
    # table: (the tables to its citation `c`, how the changed row `{n}` joins them, events)
    "citations": ("citations c", "c.id = {n}.id", ALL),
    "citation_violations": ("citations c", "c.id = {n}.citation_id", ALL),
    "ledger_entries": ("citations c", "c.id = {n}.citation_id", ALL),
    "orders": ("citations c", "c.id = {n}.citation_id", ALL),
    "payment_plans": ("citations c", "c.id = {n}.citation_id", ALL),
    "ability_requests": ("citations c", "c.id = {n}.citation_id", ALL),
    "hearings": (
        "orders o JOIN citations c ON c.id = o.citation_id",
        "o.hearing_id = {n}.id",
        "UPDATE",
    ),
    "service_hours": (
        "service_assignments a JOIN citations c ON c.id = a.citation_id",
        "a.id = {n}.assignment_id",
        ALL,
    ),
    "intake_records": ("", "", "INSERT"),
}
"""What a change to each table makes stale: its citation's violation day (for a citation's
own row, its old day as well as its new one, for an amended date); for a new intake record,
the UTC date of its violation."""

COUNTED = "violation_date, area, preferred_language, status, closed_at"
"""The columns of a citation the aggregates read: its balance, its next citation day or its
contact details change without making its day stale (issuing a citation updates the person's
earlier ones' next citation day, which would otherwise mark each of their days)."""
CITATION_UPDATE = (
    "SELECT 'c' AS source, d.day FROM old_rows o JOIN new_rows n ON n.id = o.id, "
    "LATERAL (VALUES (o.violation_date), (n.violation_date)) AS d (day) "
    f"WHERE (o.{COUNTED.replace(', ', ', o.')}) IS DISTINCT FROM (n.{COUNTED.replace(', ', ', n.')})"
)
"""A citation's changed rows, on PostgreSQL (whose triggers with transition tables take no
column list): its old day and its new one when a counted column changed."""

AGGREGATES = (
    "report_citation_days",
    "report_ordinance_days",
    "report_money_days",
    "report_service_days",
    "report_order_days",
    "report_intake_days",
)


def _day_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_day", name, ["day", "area"], unique=False)


def upgrade() -> None:
    op.create_table(
        "report_stale_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_stale_days")),
    )
    op.create_index("ix_report_stale_days_day", "report_stale_days", ["source", "day"])
    _day_table(
        "report_citation_days",
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("alternative", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("citations", sa.Integer(), nullable=False),
    )
    _day_table(
        "report_ordinance_days",
        sa.Column("ordinance_code", sa.String(length=100), nullable=False),
        sa.Column("citations", sa.Integer(), nullable=False),
    )
    _day_table(
        "report_money_days",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
    )
    _day_table("report_service_days", sa.Column("minutes", sa.BigInteger(), nullable=False))
    _day_table(
        "report_order_days",
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=False),
    )
    _day_table(
        "report_intake_days",
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
    )
    op.create_index(
        op.f("ix_intake_records_violation_at"), "intake_records", ["violation_at"], unique=False
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    op.execute(
        "INSERT INTO report_stale_days (source, day) "
        "SELECT DISTINCT 'c', violation_date FROM citations"
    )
    utc_day = "(violation_at AT TIME ZONE 'UTC')::date" if postgres else "date(violation_at)"
    op.execute(
        f"INSERT INTO report_stale_days (source, day) "
        f"SELECT DISTINCT 'i', {utc_day} FROM intake_records"
    )


def _marks(table: str, rows: str, n: str, utc_day: str) -> str:
    """The stale marks of the changed rows (`rows`, each named `n`), as a SELECT."""
    tables, joined, _ = LINKS[table]
    if table == "intake_records":
        return f"SELECT 'i' AS source, {utc_day} AS day{rows}"
    condition = joined.format(n=n)
    return f"SELECT 'c' AS source, c.violation_date AS day{rows}, {tables} WHERE {condition}"


def _postgres_triggers() -> list[str]:
    statements = []
    for table, (_, _, events) in LINKS.items():
        for event in events.split():
            name = f"report_stale_{table}_{event.lower()}"
            sides = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"]}.get(
                event, ["old_rows"]
            )
            utc_day = "(n.violation_at AT TIME ZONE 'UTC')::date"
            marks = " UNION ".join(_marks(table, f" FROM {side} n", "n", utc_day) for side in sides)
            if (table, event) == ("citations", "UPDATE"):
                marks = CITATION_UPDATE
            referencing = " ".join(
                f"{'OLD' if side == 'old_rows' else 'NEW'} TABLE AS {side}" for side in sides
            )
            statements += [
                f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_stale_days (source, day, transaction_id)
    SELECT DISTINCT source, day, txid_current() FROM ({marks}) AS m
    WHERE NOT EXISTS (
        SELECT 1 FROM report_stale_days s
        WHERE s.source = m.source AND s.day = m.day AND s.transaction_id = txid_current()
    );
    RETURN NULL;
END $$""",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    return statements


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, (_, _, events) in LINKS.items():
        for event in events.split():
            name = f"report_stale_{table}_{event.lower()}"
            sides = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"]}.get(event, ["OLD"])
            inserts = []
            for side in sides:
                # SQLite's FROM cannot name NEW or OLD: the first table comes in by a dummy.
                marks = _marks(table, " FROM (SELECT 1) AS one", side, f"date({side}.violation_at)")
                inserts.append(
                    "INSERT INTO report_stale_days (source, day) SELECT source, day FROM "
                    f"({marks}) AS m WHERE NOT EXISTS (SELECT 1 FROM report_stale_days s "
                    "WHERE s.source = m.source AND s.day = m.day);"
                )
            columns = f" OF {COUNTED}" if (table, event) == ("citations", "UPDATE") else ""
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event}{columns} ON {table} "
                f"BEGIN {' '.join(inserts)} END"
            )
    return statements


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, (_, _, events) in LINKS.items():
        for event in events.split():
            name = f"report_stale_{table}_{event.lower()}"
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
            if postgres:
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index(op.f("ix_intake_records_violation_at"), table_name="intake_records")
    for name in AGGREGATES:
        op.drop_index(f"ix_{name}_day", table_name=name)
        op.drop_table(name)
    op.drop_index("ix_report_stale_days_day", table_name="report_stale_days")
    op.drop_table("report_stale_days")
