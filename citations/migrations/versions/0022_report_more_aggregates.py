"""More of the program report from daily aggregates: the histogram of days to resolution
(`report_resolution_days`, `citations.reports.resolution`) and the keyed counts of the
repeat rates (`report_repeat_days`, `citations.reports.repeated`).

The histogram counts closed citations by violation day, area and whole days from issue to
close. What it reads (a citation's violation day, area and `closed_at`; `issued_at` is
never changed) are columns the citation triggers of migration 0019 already watch, so it
needs no trigger of its own.

A day's repeat counts depend on the person's other citations (the previous one for the
ordinance, the next citation day), on other days. So any change to a citation that counts
for repeats (issued, voided, moved, its person or next citation day changed, deleted) or to
its violations marks every day of that person's citations stale. A person has few
citations; the triggers find them through `ix_citations_subject`. The marks are those of
migration 0019 (source 'c'), so a refresh recomputes all of those days' aggregates.

Every day that has citations when this runs is marked stale, so the report reads them from
the rows (exact) until `citations reports rebuild` or daily processing fills the table.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


DAYS = {
    # SQLAlchemy casts the divisor of a true division to FLOAT; the index must say so too.
    "postgresql": "EXTRACT(epoch FROM closed_at - issued_at) / CAST(86400.0 AS FLOAT)",
    "sqlite": "julianday(closed_at) - julianday(issued_at)",
}
"""A closed citation's days to resolution, as `citations.reports.resolution.ResolutionDays`
compiles it (an index on an expression serves only a query with the same expression)."""
BUCKET = {
    "postgresql": f"CAST(floor({DAYS['postgresql']}) AS INTEGER)",
    "sqlite": f"(CAST({DAYS['sqlite']} AS INTEGER) - ({DAYS['sqlite']} < "
    f"CAST({DAYS['sqlite']} AS INTEGER)))",
}
"""`ResolutionBucket`: the report reads one bucket's rows of its period through this index
instead of scanning the period's closed citations."""


PERSON = "violation_date, status, subject_name_key, subject_dob, next_citation_date"
"""The columns of a citation that the repeat counts of its person's days read."""

PEOPLE: dict[tuple[str, str], str] = {
    # (table, event): the changed rows' people, as a SELECT of (k, b) from `{rows}`.
    ("citations", "INSERT"): "SELECT n.subject_name_key AS k, n.subject_dob AS b FROM {new} n",
    ("citations", "DELETE"): "SELECT o.subject_name_key AS k, o.subject_dob AS b FROM {old} o",
    ("citation_violations", "INSERT"): (
        "SELECT c.subject_name_key AS k, c.subject_dob AS b FROM {new} n "
        "JOIN citations c ON c.id = n.citation_id"
    ),
    ("citation_violations", "DELETE"): (
        "SELECT c.subject_name_key AS k, c.subject_dob AS b FROM {old} o "
        "JOIN citations c ON c.id = o.citation_id"
    ),
    ("citation_violations", "UPDATE"): (
        "SELECT c.subject_name_key AS k, c.subject_dob AS b FROM {new} n "
        "JOIN citations c ON c.id = n.citation_id UNION "
        "SELECT c.subject_name_key, c.subject_dob FROM {old} o "
        "JOIN citations c ON c.id = o.citation_id"
    ),
}


def _changed(side: str) -> str:
    olds = ", ".join(f"o.{c}" for c in PERSON.split(", "))
    news = ", ".join(f"n.{c}" for c in PERSON.split(", "))
    return (
        f"SELECT {side}.subject_name_key AS k, {side}.subject_dob AS b FROM old_rows o "
        f"JOIN new_rows n ON n.id = o.id WHERE ({olds}) IS DISTINCT FROM ({news})"
    )


PEOPLE[("citations", "UPDATE")] = f"{_changed('o')} UNION {_changed('n')}"

TRIGGERS = [
    ("citations", "INSERT"),
    ("citations", "UPDATE"),
    ("citations", "DELETE"),
    ("citation_violations", "INSERT"),
    ("citation_violations", "UPDATE"),
    ("citation_violations", "DELETE"),
]


def _name(table: str, event: str) -> str:
    return f"report_person_{table}_{event.lower()}"


def _postgres_triggers() -> list[str]:
    statements = []
    for table, event in TRIGGERS:
        name = _name(table, event)
        people = PEOPLE[(table, event)].format(new="new_rows", old="old_rows")
        sides = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"]}.get(
            event, ["old_rows"]
        )
        referencing = " ".join(
            f"{'OLD' if side == 'old_rows' else 'NEW'} TABLE AS {side}" for side in sides
        )
        statements += [
            f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_stale_days (source, day, transaction_id)
    SELECT DISTINCT 'c', c.violation_date, txid_current()
    FROM ({people}) AS p
    JOIN citations c ON c.subject_name_key = p.k AND c.subject_dob = p.b
    WHERE NOT EXISTS (
        SELECT 1 FROM report_stale_days s
        WHERE s.source = 'c' AND s.day = c.violation_date
          AND s.transaction_id = txid_current()
    );
    RETURN NULL;
END $$""",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite_marks(person: str) -> str:
    """Mark the days of the person `person` names (a SELECT of k and b)."""
    return (
        "INSERT INTO report_stale_days (source, day) SELECT DISTINCT 'c', c.violation_date "
        f"FROM ({person}) AS p JOIN citations c "
        "ON c.subject_name_key = p.k AND c.subject_dob = p.b "
        "WHERE NOT EXISTS (SELECT 1 FROM report_stale_days s "
        "WHERE s.source = 'c' AND s.day = c.violation_date);"
    )


def _sqlite_triggers() -> list[str]:
    statements = []
    for table, event in TRIGGERS:
        sides = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"]}.get(event, ["OLD"])
        inserts = []
        for side in sides:
            if table == "citations":
                person = f"SELECT {side}.subject_name_key AS k, {side}.subject_dob AS b"
            else:
                person = (
                    "SELECT subject_name_key AS k, subject_dob AS b FROM citations "
                    f"WHERE id = {side}.citation_id"
                )
            inserts.append(_sqlite_marks(person))
        columns, when = "", ""
        if (table, event) == ("citations", "UPDATE"):
            columns = f" OF {PERSON}"
            # PERSON_UPDATE sets every citation of a person, most to the same next day.
            when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in PERSON.split(", "))
        statements.append(
            f"CREATE TRIGGER {_name(table, event)} AFTER {event}{columns} ON {table}{when} "
            f"BEGIN {' '.join(inserts)} END"
        )
    return statements


def upgrade() -> None:
    op.create_table(
        "report_resolution_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("citations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_resolution_days")),
    )
    op.create_index(
        "ix_report_resolution_days_day", "report_resolution_days", ["day", "area"], unique=False
    )
    op.create_table(
        "report_repeat_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("ordinance_code", sa.String(length=100), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=True),
        sa.Column("again6", sa.Integer(), nullable=False),
        sa.Column("prev6_day", sa.Date(), nullable=True),
        sa.Column("again12", sa.Integer(), nullable=False),
        sa.Column("prev12_day", sa.Date(), nullable=True),
        sa.Column("citations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_repeat_days")),
    )
    op.create_index("ix_report_repeat_days_day", "report_repeat_days", ["day", "area"])
    dialect = op.get_bind().dialect.name
    op.execute(
        f"CREATE INDEX ix_citations_resolution_bucket ON citations "
        f"(({BUCKET[dialect]}), violation_date) WHERE closed_at IS NOT NULL"
    )
    postgres = dialect == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    op.execute(
        "INSERT INTO report_stale_days (source, day) "
        "SELECT DISTINCT 'c', violation_date FROM citations"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, event in TRIGGERS:
        name = _name(table, event)
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("DROP INDEX IF EXISTS ix_citations_resolution_bucket")
    op.drop_index("ix_report_repeat_days_day", table_name="report_repeat_days")
    op.drop_table("report_repeat_days")
    op.drop_index("ix_report_resolution_days_day", table_name="report_resolution_days")
    op.drop_table("report_resolution_days")
