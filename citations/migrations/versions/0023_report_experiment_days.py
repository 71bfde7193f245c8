"""The reminders experiment of the program report from daily aggregates
(`report_experiment_days`, `report_reminder_days`; `citations.reports.experiment_days`).

The experiment's figures read more tables than the other aggregates: payments, contests and
their hearings, requests for help of every kind, referrals to collections, the reminders
sent, and a citation's service day, experiment and arm. A change to any of them marks the
citation's violation day stale (source 'c', as migration 0019's marks), in the same
transaction: statement triggers with transition tables on PostgreSQL (on the partitioned
parents of migration 0021), row triggers on SQLite. Orders, payment plans and ability
requests are already watched by 0019's triggers; a citation's own insert and delete too.

Every day with a citation in an experiment when this runs is marked stale, so the report
reads those days from the rows (exact) until `citations reports rebuild` or daily
processing fills the tables.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

ALL = "INSERT UPDATE DELETE"
LINKS: dict[str, tuple[str, str, str]] = {
    # table: (the tables to its citation `c`, how the changed row `{n}` joins them, events)
    "payments": ("citations c", "c.id = {n}.citation_id", ALL),
    "contests": ("citations c", "c.id = {n}.citation_id", ALL),
    "hearings": (
        "contests k JOIN citations c ON c.id = k.citation_id",
        "k.id = {n}.contest_id",
        ALL,
    ),
    "service_assignments": ("citations c", "c.id = {n}.citation_id", ALL),
    "diversion_referrals": ("citations c", "c.id = {n}.citation_id", ALL),
    "person_requests": ("citations c", "c.id = {n}.citation_id", ALL),
    "collection_referrals": ("citations c", "c.id = {n}.citation_id", ALL),
    "outbox_messages": ("citations c", "c.id = {n}.citation_id", ALL),
    "citations": ("", "", "UPDATE"),
}
"""What a change to each table makes stale: its citation's violation day (a citation's own
row: its old day and its new one)."""

WATCHED = {
    # For an update, the columns whose change matters (a reminder retried, a citation's
    # balance or status changed are not the experiment's business: other triggers see those).
    "outbox_messages": "citation_id, status, channel",
    "citations": "violation_date, area, experiment, arm, served_on",
}


def _name(table: str, event: str) -> str:
    return f"report_experiment_{table}_{event.lower()}"


def _marks(table: str, rows: str, n: str) -> str:
    tables, joined, _ = LINKS[table]
    if table == "citations":
        return f"SELECT {n}.violation_date AS day{rows}"
    return f"SELECT c.violation_date AS day{rows}, {tables} WHERE {joined.format(n=n)}"


def _postgres_triggers() -> list[str]:
    statements = []
    for table, (_, _, events) in LINKS.items():
        for event in events.split():
            name = _name(table, event)
            sides = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"]}.get(
                event, ["old_rows"]
            )
            if event == "UPDATE" and table in WATCHED:
                columns = WATCHED[table].split(", ")
                olds = ", ".join(f"o.{c}" for c in columns)
                news = ", ".join(f"n.{c}" for c in columns)
                changed = (
                    "FROM old_rows o JOIN new_rows n ON n.id = o.id "
                    f"WHERE ({olds}) IS DISTINCT FROM ({news})"
                )
                marks = " UNION ".join(
                    _marks(table, f" FROM (SELECT {side}.* {changed}) AS x", "x")
                    for side in ("o", "n")
                )
            else:
                marks = " UNION ".join(_marks(table, f" FROM {side} x", "x") for side in sides)
            referencing = " ".join(
                f"{'OLD' if side == 'old_rows' else 'NEW'} TABLE AS {side}" for side in sides
            )
            statements += [
                f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_stale_days (source, day, transaction_id)
    SELECT DISTINCT 'c', m.day, txid_current() FROM ({marks}) AS m
    WHERE NOT EXISTS (
        SELECT 1 FROM report_stale_days s
        WHERE s.source = 'c' AND s.day = m.day AND s.transaction_id = txid_current()
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
            sides = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"]}.get(event, ["OLD"])
            inserts = []
            for side in sides:
                # SQLite's FROM cannot name NEW or OLD: the first table comes in by a dummy.
                marks = _marks(table, " FROM (SELECT 1) AS one", side)
                inserts.append(
                    "INSERT INTO report_stale_days (source, day) SELECT 'c', day FROM "
                    f"({marks}) AS m WHERE NOT EXISTS (SELECT 1 FROM report_stale_days s "
                    "WHERE s.source = 'c' AND s.day = m.day);"
                )
            columns, when = "", ""
            if event == "UPDATE" and table in WATCHED:
                columns = f" OF {WATCHED[table]}"
                when = " WHEN " + " OR ".join(
                    f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED[table].split(", ")
                )
            statements.append(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event}{columns} ON {table}{when} "
                f"BEGIN {' '.join(inserts)} END"
            )
    return statements


def _day_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("experiment", sa.String(length=40), nullable=False),
        sa.Column("arm", sa.String(length=40), nullable=True),
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_day", name, ["day", "area"], unique=False)


def upgrade() -> None:
    _day_table(
        "report_experiment_days",
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("contested_on", sa.Date(), nullable=True),
        sa.Column("helped_on", sa.Date(), nullable=True),
        sa.Column("defaulted", sa.Integer(), nullable=False),
        sa.Column("heard", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("collections", sa.Integer(), nullable=False),
        sa.Column("citations", sa.Integer(), nullable=False),
    )
    _day_table(
        "report_reminder_days",
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    op.execute(
        "INSERT INTO report_stale_days (source, day) "
        "SELECT DISTINCT 'c', violation_date FROM citations WHERE experiment IS NOT NULL"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, (_, _, events) in LINKS.items():
        for event in events.split():
            name = _name(table, event)
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
            if postgres:
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for name in ("report_reminder_days", "report_experiment_days"):
        op.drop_index(f"ix_{name}_day", table_name=name)
        op.drop_table(name)
