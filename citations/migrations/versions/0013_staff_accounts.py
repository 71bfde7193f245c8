"""Staff accounts: people sign in to the clerks' pages with a username and password (or the
city's identity provider); sessions belong to an account or a token and end when idle;
contests can be assigned to a staff member (the work queues).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citations.orm import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("password_changed_at", UTCDateTime(), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_sign_in_at", UTCDateTime(), nullable=True),
        sa.Column("oidc_subject", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_staff_users_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
        sa.UniqueConstraint("oidc_subject", name=op.f("uq_staff_users_oidc_subject")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_seen_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_web_sessions_user_id_staff_users"), "staff_users", ["user_id"], ["id"]
        )
        batch_op.create_index("ix_web_sessions_user", ["user_id", "ended_at"], unique=False)
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_contests_assignee_id_staff_users"),
            "staff_users",
            ["assignee_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_contests_assignee_id"), ["assignee_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contests_assignee_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_contests_assignee_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assignee_id")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_web_sessions_user")
        batch_op.drop_constraint(
            batch_op.f("fk_web_sessions_user_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("user_id")
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("staff_users")
