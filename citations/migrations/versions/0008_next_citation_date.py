"""Each citation's next citation day for the same person, for the repeat-citation rate.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("citations", sa.Column("next_citation_date", sa.Date(), nullable=True))
    # Existing citations get theirs from the person's later citations (as citations.record.repeats
    # keeps it from now on), through the person index.
    op.execute(
        """
        UPDATE citations SET next_citation_date = (
            SELECT min(later.violation_date) FROM citations AS later
            WHERE later.subject_name_key = citations.subject_name_key
              AND later.subject_dob = citations.subject_dob
              AND later.violation_date > citations.violation_date
              AND later.status <> 'voided'
        )
        WHERE subject_dob IS NOT NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("citations") as batch:
        batch.drop_column("next_citation_date")
