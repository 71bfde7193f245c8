"""When a citation was closed, for time-to-resolution reports.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citations.orm import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("citations", sa.Column("closed_at", UTCDateTime(), nullable=True))
    op.create_index(op.f("ix_citations_closed_at"), "citations", ["closed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_citations_closed_at"), table_name="citations")
    with op.batch_alter_table("citations") as batch_op:
        batch_op.drop_column("closed_at")
