"""Requests people send online (a default to set aside) can be assigned to a staff member,
as contests can: the work queues list both.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citations.orm import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_person_requests_assignee_id_staff_users"),
            "staff_users",
            ["assignee_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_person_requests_assignee_id"), ["assignee_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("person_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_requests_assignee_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_person_requests_assignee_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assignee_id")
