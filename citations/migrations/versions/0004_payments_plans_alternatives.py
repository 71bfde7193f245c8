"""Payments, plans, ability to pay, community service, diversion, collections; citations.due_on.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ability_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("declaration", JSON_DOCUMENT, nullable=False),
        sa.Column("qualifies", sa.Boolean(), nullable=False),
        sa.Column("reasons", JSON_DOCUMENT, nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=True),
        sa.Column("amount_due_cents", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_ability_requests_citation_id_citations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ability_requests")),
    )
    op.create_index(op.f("ix_ability_requests_citation_id"), "ability_requests", ["citation_id"])

    op.create_table(
        "collection_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("recalled_on", sa.Date(), nullable=True),
        sa.Column("recall_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_collection_referrals_citation_id_citations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_referrals")),
    )
    op.create_index(
        op.f("ix_collection_referrals_citation_id"), "collection_referrals", ["citation_id"]
    )
    op.create_index(
        op.f("ix_collection_referrals_recalled_on"), "collection_referrals", ["recalled_on"]
    )
    op.create_index(
        op.f("ix_collection_referrals_referred_on"), "collection_referrals", ["referred_on"]
    )

    op.create_table(
        "diversion_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(length=64), nullable=False),
        sa.Column("obligations", JSON_DOCUMENT, nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("referred_at", UTCDateTime(), nullable=False),
        sa.Column("referred_by", sa.String(length=200), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_diversion_referrals_citation_id_citations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diversion_referrals")),
    )
    op.create_index(
        op.f("ix_diversion_referrals_citation_id"), "diversion_referrals", ["citation_id"]
    )
    op.create_index(op.f("ix_diversion_referrals_deadline"), "diversion_referrals", ["deadline"])
    op.create_index(op.f("ix_diversion_referrals_status"), "diversion_referrals", ["status"])

    op.create_table(
        "payment_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_payment_plans_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plans")),
    )
    op.create_index(op.f("ix_payment_plans_citation_id"), "payment_plans", ["citation_id"])
    op.create_index(op.f("ix_payment_plans_status"), "payment_plans", ["status"])

    op.create_table(
        "service_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("minutes_required", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("elected_at", UTCDateTime(), nullable=False),
        sa.Column("elected_by", sa.String(length=200), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_service_assignments_citation_id_citations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_assignments")),
    )
    op.create_index(
        op.f("ix_service_assignments_citation_id"), "service_assignments", ["citation_id"]
    )
    op.create_index(op.f("ix_service_assignments_deadline"), "service_assignments", ["deadline"])
    op.create_index(op.f("ix_service_assignments_status"), "service_assignments", ["status"])

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("body_hash", sa.String(length=64), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("balance_before_cents", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_cents", sa.BigInteger(), nullable=False),
        sa.Column("status_after", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_payments_citation_id_citations")
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_payments_ledger_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["payments.id"], name=op.f("fk_payments_reverses_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
        sa.UniqueConstraint("receipt_number", name=op.f("uq_payments_receipt_number")),
    )
    op.create_index(op.f("ix_payments_citation_id"), "payments", ["citation_id"])
    op.create_index("ix_payments_received", "payments", ["received_on", "method"])

    op.create_table(
        "plan_installments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["payment_plans.id"],
            name=op.f("fk_plan_installments_plan_id_payment_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_installments")),
    )
    op.create_index(op.f("ix_plan_installments_plan_id"), "plan_installments", ["plan_id"])

    op.create_table(
        "service_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("worked_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("logged_at", UTCDateTime(), nullable=False),
        sa.Column("logged_by", sa.String(length=200), nullable=False),
        sa.Column("signed_off_by", sa.String(length=200), nullable=True),
        sa.Column("signed_off_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["service_assignments.id"],
            name=op.f("fk_service_hours_assignment_id_service_assignments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_hours")),
    )
    op.create_index(op.f("ix_service_hours_assignment_id"), "service_hours", ["assignment_id"])

    op.add_column("citations", sa.Column("due_on", sa.Date(), nullable=True))
    op.create_index(op.f("ix_citations_due_on"), "citations", ["due_on"])


def downgrade() -> None:
    op.drop_index(op.f("ix_citations_due_on"), table_name="citations")
    with op.batch_alter_table("citations") as batch_op:
        batch_op.drop_column("due_on")
    op.drop_table("service_hours")
    op.drop_table("plan_installments")
    op.drop_table("payments")
    op.drop_table("service_assignments")
    op.drop_table("payment_plans")
    op.drop_table("diversion_referrals")
    op.drop_table("collection_referrals")
    op.drop_table("ability_requests")
