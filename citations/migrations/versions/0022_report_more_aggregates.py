"""More of the program report from daily aggregates: the histogram of days to resolution
(`report_resolution_days`, `citations.reports.resolution`).

It counts closed citations by violation day, area and whole days from issue to close. What
it reads (a citation's violation day, area and `closed_at`; `issued_at` is never changed)
are columns the citation triggers of migration 0019 already watch, so no trigger is added:
closing, reopening, amending or voiding a citation marks its days stale as before, and a
refresh recomputes this table with the others.

Every day that has citations when this runs is marked stale, so the report reads them from
the rows (exact) until `citations reports rebuild` or daily processing fills the table.

Revision ID: 0022
Revises: 0021_partitions
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None


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
    op.execute(
        "INSERT INTO report_stale_days (source, day) "
        "SELECT DISTINCT 'c', violation_date FROM citations"
    )


def downgrade() -> None:
    op.drop_index("ix_report_resolution_days_day", table_name="report_resolution_days")
    op.drop_table("report_resolution_days")
