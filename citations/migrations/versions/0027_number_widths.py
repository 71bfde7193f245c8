"""Citation numbers may be wider than six digits: an agency's width, and each block's.

An agency that issues more than 999,999 citations a year (New York's parking tickets run to
millions) ran out of numbers with no way on. `agencies.sequence_digits` is how wide the numbers
it draws from now on are, six unless widened (`citations agencies widen`); `number_blocks.digits`
fixes the width of a block drawn for a device, so a device keeps writing the numbers it was
given after its agency widens. Both default to six, which is what every existing number has.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A default, not a rewrite: both engines add the column without touching the rows.
    six = sa.text("6")
    op.add_column(
        "agencies", sa.Column("sequence_digits", sa.Integer(), server_default=six, nullable=False)
    )
    op.add_column(
        "number_blocks", sa.Column("digits", sa.Integer(), server_default=six, nullable=False)
    )


def downgrade() -> None:
    connection = op.get_bind()
    wide = connection.execute(
        sa.text("SELECT count(*) FROM agencies WHERE sequence_digits <> 6")
    ).scalar_one()
    if wide:
        raise RuntimeError(
            f"{wide} agencies have numbers wider than six digits, which the schema before 0027 "
            "cannot read; restore a backup taken before 0027"
        )
    with op.batch_alter_table("number_blocks") as batch_op:
        batch_op.drop_column("digits")
    with op.batch_alter_table("agencies") as batch_op:
        batch_op.drop_column("sequence_digits")
