"""The resolution bucket's index carries what the report reads from it (PostgreSQL).

The report's percentiles find the bucket each falls in from the histogram, then read that
bucket's rows of the period, ordered by days to resolution (`citations.reports.resolution`).
Migration 0022's index found those rows by (bucket, violation day), but the days themselves
(closed_at - issued_at) and the area are in the table, so every row found was a visit to the
heap. At ten million citations a year's largest bucket holds several hundred thousand rows
spread over a 52 GB table with 24 GB of memory: 4.27 s of the year's report of 5.45 s.

With issued_at, closed_at and area INCLUDEd the read is an index-only scan: PostgreSQL
computes the days from the index entry and visits the heap only for pages not yet
all-visible (VACUUM, and autovacuum, keep the visibility map).

Making the index again over a large table holds writes to citations while it builds (minutes
at ten million): run it in a quiet hour, as any `citations db upgrade` should be.

SQLite keeps 0022's index: it is the embedded default, not the city-scale engine.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BUCKET = (
    "CAST(floor(EXTRACT(epoch FROM closed_at - issued_at) / CAST(86400.0 AS FLOAT)) AS INTEGER)"
)
"""Migration 0022's bucket on PostgreSQL, as `ResolutionBucket` compiles it."""


def _make(include: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_citations_resolution_bucket")
    op.execute(
        f"CREATE INDEX ix_citations_resolution_bucket ON citations (({BUCKET}), violation_date)"
        f"{include} WHERE closed_at IS NOT NULL"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _make(" INCLUDE (area, issued_at, closed_at)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _make("")
