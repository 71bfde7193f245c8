"""An index for daily processing: citations by status and due date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_citations_status_due", "citations", ["status", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_citations_status_due", table_name="citations")
