"""The trigram index for finding a citation by part of its number moves onto `upper(number)`.

PostgreSQL's pg_trgm (1.6, PostgreSQL 14 on) lets a trigram index answer `=` as well as
`LIKE`, and once a table has statistics the planner chose the trigram index over the unique
B-tree for `number IN (...)`. Every citation number shares most of its trigrams with every
other ("DCPD-2026-..."), so each value read a large part of the index: with 3,000 citations
stored, the lookup that every commit touching citations makes (the reminders brought up to
date, `citations.outreach.sync`) took 1.2 s for 150 numbers against 0.3 ms by the B-tree,
and issuing ran at 45% of its rate on an empty database. An index on the expression cannot
answer `number = ...`, so equality always takes the unique index, and the search's
`upper(number) LIKE '%part%'` keeps the trigrams (`citations.record.search`).

SQLite loses the plain index 0015 made under the same name: it repeated the unique one, and
no index serves `LIKE '%part%'` there.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index("ix_citations_number_trgm", table_name="citations")
    else:
        # IF EXISTS: a database taken back below 0021 and up again lacks it under this name
        # (tests/test_audit_lanes.py and tests/test_jobs_schema.py do that).
        op.execute("DROP INDEX IF EXISTS ix_citations_number_trgm")
        # On the partitioned parent (0021): PostgreSQL builds it on every year's partition
        # and on each one made later.
        op.execute(
            "CREATE INDEX ix_citations_number_part ON citations "
            "USING gin (upper(number) gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_citations_number_part", table_name="citations")
    op.create_index(
        "ix_citations_number_trgm",
        "citations",
        ["number"],
        postgresql_using="gin",
        postgresql_ops={"number": "gin_trgm_ops"},
    )
