"""The ledger, contests, hearing officers, docket sessions, hearings and orders.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "hearing_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("qualification", sa.String(length=40), nullable=False),
        sa.Column("qualification_detail", sa.Text(), nullable=False),
        sa.Column("independence", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_officers")),
    )
    op.create_table(
        "docket_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("remote_link", sa.Text(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=True),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["hearing_officers.id"],
            name=op.f("fk_docket_sessions_officer_id_hearing_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_docket_sessions")),
    )
    op.create_index(op.f("ix_docket_sessions_day"), "docket_sessions", ["day"])
    op.create_index(op.f("ix_docket_sessions_officer_id"), "docket_sessions", ["officer_id"])

    op.create_table(
        "hearing_officer_availability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["hearing_officers.id"],
            name=op.f("fk_hearing_officer_availability_officer_id_hearing_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_officer_availability")),
        sa.UniqueConstraint("officer_id", "day", "start_time", name="uq_availability_window"),
    )
    op.create_index(
        op.f("ix_hearing_officer_availability_day"), "hearing_officer_availability", ["day"]
    )

    op.create_table(
        "contests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("review_requested_at", UTCDateTime(), nullable=False),
        sa.Column("review_statement", sa.Text(), nullable=False),
        sa.Column("review_deadline", sa.Date(), nullable=False),
        sa.Column("review_late_reason", sa.Text(), nullable=True),
        sa.Column("review_decided_at", UTCDateTime(), nullable=True),
        sa.Column("hearing_requested_at", UTCDateTime(), nullable=True),
        sa.Column("hearing_deadline", sa.Date(), nullable=True),
        sa.Column("hearing_late_reason", sa.Text(), nullable=True),
        sa.Column("interpreter_language", sa.String(length=8), nullable=True),
        sa.Column("deposit_status", sa.String(length=20), nullable=True),
        sa.Column("deposit_due_on", sa.Date(), nullable=True),
        sa.Column("waiver_declaration", sa.Text(), nullable=True),
        sa.Column("waiver_decided_at", UTCDateTime(), nullable=True),
        sa.Column("waiver_decided_by", sa.String(length=200), nullable=True),
        sa.Column("waiver_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_contests_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contests")),
        sa.UniqueConstraint("citation_id", name=op.f("uq_contests_citation_id")),
    )
    op.create_index(op.f("ix_contests_stage"), "contests", ["stage"])

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_ledger_entries_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index("ix_ledger_entries_citation", "ledger_entries", ["citation_id", "id"])

    op.create_table(
        "recusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_recusals_citation_id_citations")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["hearing_officers.id"],
            name=op.f("fk_recusals_officer_id_hearing_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recusals")),
        sa.UniqueConstraint("officer_id", "citation_id", name="uq_recusals_pair"),
    )
    op.create_index(op.f("ix_recusals_citation_id"), "recusals", ["citation_id"])

    op.create_table(
        "hearings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("slot_time", sa.Time(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("placed_by_hand", sa.Boolean(), nullable=False),
        sa.Column("scheduled_at", UTCDateTime(), nullable=False),
        sa.Column("scheduled_by", sa.String(length=200), nullable=False),
        sa.Column("postponed_at", UTCDateTime(), nullable=True),
        sa.Column("postponed_reason", sa.Text(), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contests.id"], name=op.f("fk_hearings_contest_id_contests")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"], ["hearings.id"], name=op.f("fk_hearings_replaced_by_id_hearings")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["docket_sessions.id"],
            name=op.f("fk_hearings_session_id_docket_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearings")),
    )
    op.create_index(op.f("ix_hearings_contest_id"), "hearings", ["contest_id"])
    op.create_index("ix_hearings_session_status", "hearings", ["session_id", "status"])

    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=True),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("original_cents", sa.BigInteger(), nullable=False),
        sa.Column("new_cents", sa.BigInteger(), nullable=False),
        sa.Column("reduction_reason", sa.Text(), nullable=True),
        sa.Column("payment_schedule", JSON_DOCUMENT, nullable=False),
        sa.Column("refund_cents", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("next_deadline", sa.Date(), nullable=True),
        sa.Column("set_aside_at", UTCDateTime(), nullable=True),
        sa.Column("set_aside_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_orders_citation_id_citations")
        ),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contests.id"], name=op.f("fk_orders_contest_id_contests")
        ),
        sa.ForeignKeyConstraint(
            ["hearing_id"], ["hearings.id"], name=op.f("fk_orders_hearing_id_hearings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_citation_id"), "orders", ["citation_id"])
    op.create_index(op.f("ix_orders_contest_id"), "orders", ["contest_id"])


def downgrade() -> None:
    op.drop_table("orders")
    op.drop_table("hearings")
    op.drop_table("recusals")
    op.drop_table("ledger_entries")
    op.drop_table("contests")
    op.drop_table("hearing_officer_availability")
    op.drop_table("docket_sessions")
    op.drop_table("hearing_officers")
