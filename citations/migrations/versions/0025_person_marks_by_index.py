"""The person triggers of migration 0022 find a person's citations by index, whatever the
planner believes of the table.

Each of those statement triggers marks stale every day of the changed rows' people: it joins
the people to `citations` on (subject_name_key, subject_dob). How the planner makes that
join depends on the parent's statistics, which PostgreSQL's autovacuum never takes (it
analyzes partitions only). With them current the join is by index (18 ms for 150 new
violations at a million citations). Without them, or with them stale after a load, the
planner took each new row for hundreds of citations, sorted every citation and merge-joined
them: 0.84 s at 580,000 (measured mid-load), 4.8 s of the 6.4 s at a million (measured in an
earlier session), and issuing with a million stored ran at a quarter of its rate on an empty
database.

Here each person's citations are read by a LATERAL subquery that the planner may not flatten
(OFFSET 0), so it is always a lookup in `ix_citations_subject` per person and partition,
however wrong the estimate: 150 people cost 150 index probes (15 ms at a million). Daily
processing now also keeps the parents' statistics (`citations.upkeep`).

The people are made DISTINCT first: a person with several violations on one citation (or
several citations in one statement) is looked up once.

SQLite's triggers are row triggers that already look a person up by the index: unchanged.

The stale marks gain an index that leads with the transaction (both databases, as the model
declares it). Every PostgreSQL trigger asks for its transaction's marks (not to mark a day
twice). By (source, day) that read every mark left since the last refresh: every issuing
transaction marks the day it issues for, and a seed of a million spent most of its time
there once 40,000 marks had piled up. SQLite's triggers do not name the transaction, and
keep (source, day).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


PERSON = "violation_date, status, subject_name_key, subject_dob, next_citation_date"
"""The columns of a citation that the repeat counts of its person's days read (0022)."""


def _changed(side: str) -> str:
    olds = ", ".join(f"o.{c}" for c in PERSON.split(", "))
    news = ", ".join(f"n.{c}" for c in PERSON.split(", "))
    return (
        f"SELECT {side}.subject_name_key AS k, {side}.subject_dob AS b FROM old_rows o "
        f"JOIN new_rows n ON n.id = o.id WHERE ({olds}) IS DISTINCT FROM ({news})"
    )


def _of(rows: str) -> str:
    return (
        f"SELECT c.subject_name_key AS k, c.subject_dob AS b FROM {rows} r "
        "JOIN citations c ON c.id = r.citation_id"
    )


PEOPLE: dict[tuple[str, str], str] = {
    # (table, event): the changed rows' people, as a SELECT of (k, b) (as in 0022).
    ("citations", "INSERT"): "SELECT n.subject_name_key AS k, n.subject_dob AS b FROM new_rows n",
    ("citations", "UPDATE"): f"{_changed('o')} UNION {_changed('n')}",
    ("citations", "DELETE"): "SELECT o.subject_name_key AS k, o.subject_dob AS b FROM old_rows o",
    ("citation_violations", "INSERT"): _of("new_rows"),
    ("citation_violations", "UPDATE"): f"{_of('new_rows')} UNION {_of('old_rows')}",
    ("citation_violations", "DELETE"): _of("old_rows"),
}

DAYS_BY_INDEX = """SELECT DISTINCT 'c', c.violation_date, txid_current()
    FROM (SELECT DISTINCT k, b FROM ({people}) AS changed) AS p
    CROSS JOIN LATERAL (
        -- OFFSET 0 keeps this a lookup per person: see the module's docstring.
        SELECT c.violation_date FROM citations c
        WHERE c.subject_name_key = p.k AND c.subject_dob = p.b OFFSET 0
    ) AS c"""
"""0025: each person's citations by `ix_citations_subject`."""

DAYS_BY_JOIN = """SELECT DISTINCT 'c', c.violation_date, txid_current()
    FROM ({people}) AS p
    JOIN citations c ON c.subject_name_key = p.k AND c.subject_dob = p.b"""
"""0022: a join the planner was free to make a scan of the whole table."""


def _function(table: str, event: str, days: str) -> str:
    name = f"report_person_{table}_{event.lower()}"
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_stale_days (source, day, transaction_id)
    {days.format(people=PEOPLE[(table, event)])}
    WHERE NOT EXISTS (
        SELECT 1 FROM report_stale_days s
        WHERE s.source = 'c' AND s.day = c.violation_date
          AND s.transaction_id = txid_current()
    );
    RETURN NULL;
END $$"""


def _replace(days: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, event in PEOPLE:
        op.execute(_function(table, event, days))


TRANSACTION_INDEX = "ix_report_stale_days_transaction"


def upgrade() -> None:
    _replace(DAYS_BY_INDEX)
    op.create_index(TRANSACTION_INDEX, "report_stale_days", ["transaction_id", "source", "day"])


def downgrade() -> None:
    op.drop_index(TRANSACTION_INDEX, table_name="report_stale_days")
    _replace(DAYS_BY_JOIN)
