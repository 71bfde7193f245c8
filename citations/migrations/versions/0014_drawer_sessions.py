"""Cashiers' drawer sessions: an opening float, the counter's payments in it, and the counted
cash and checks at close with the difference; each counter payment names its drawer.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citations.orm import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drawer_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cashier", sa.String(length=200), nullable=False),
        sa.Column("cashier_user_id", sa.Integer(), nullable=True),
        sa.Column("cashier_key", sa.String(length=220), nullable=False),
        sa.Column("open_key", sa.String(length=220), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("float_cents", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("counted_cash_cents", sa.BigInteger(), nullable=True),
        sa.Column("counted_checks_cents", sa.BigInteger(), nullable=True),
        sa.Column("expected_cash_cents", sa.BigInteger(), nullable=True),
        sa.Column("expected_checks_cents", sa.BigInteger(), nullable=True),
        sa.Column("cash_difference_cents", sa.BigInteger(), nullable=True),
        sa.Column("checks_difference_cents", sa.BigInteger(), nullable=True),
        sa.Column("terminal_cents", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cashier_user_id"],
            ["staff_users.id"],
            name=op.f("fk_drawer_sessions_cashier_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawer_sessions")),
        sa.UniqueConstraint("open_key", name=op.f("uq_drawer_sessions_open_key")),
    )
    with op.batch_alter_table("drawer_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drawer_sessions_cashier_key"), ["cashier_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_drawer_sessions_opened_on"), ["opened_on"], unique=False
        )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drawer_session_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_drawer_session_id_drawer_sessions"),
            "drawer_sessions",
            ["drawer_session_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_payments_drawer_session_id"), ["drawer_session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_drawer_session_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_payments_drawer_session_id_drawer_sessions"), type_="foreignkey"
        )
        batch_op.drop_column("drawer_session_id")
    with op.batch_alter_table("drawer_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drawer_sessions_opened_on"))
        batch_op.drop_index(batch_op.f("ix_drawer_sessions_cashier_key"))
    op.drop_table("drawer_sessions")
