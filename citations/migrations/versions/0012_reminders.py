"""Reminders: the outbox of texts, emails and letters, the addresses that asked for no
more, letter batches for a mail house; on each citation the person's consent to texts and
emails, problems with their contact, and the reminders experiment's arm.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "letter_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_batches")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("about", sa.String(length=40), nullable=False),
        sa.Column("due_on", UTCDateTime(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("wording", sa.String(length=40), nullable=False),
        sa.Column("send_at", UTCDateTime(), nullable=False),
        sa.Column("next_try_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("facts", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=400), nullable=True),
        sa.Column("provider_id", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["letter_batches.id"],
            name=op.f("fk_outbox_messages_batch_id_letter_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_outbox_messages_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("citation_id", "key", name=op.f("uq_outbox_messages_citation_id")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_messages_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_citation_id"), ["citation_id"], unique=False
        )
        batch_op.create_index("ix_outbox_messages_due", ["status", "next_try_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_messages_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("how", sa.String(length=40), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("ended_how", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opt_outs")),
    )
    with op.batch_alter_table("opt_outs", schema=None) as batch_op:
        batch_op.create_index("ix_opt_outs_address", ["channel", "address"], unique=False)

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("texts_consent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("emails_consent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("consent", JSON_DOCUMENT, nullable=True))
        batch_op.add_column(sa.Column("phone_problem", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("email_problem", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("experiment", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("arm", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_citations_phone", ["phone"], unique=False)
        batch_op.create_index("ix_citations_email", ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_index("ix_citations_email")
        batch_op.drop_index("ix_citations_phone")
        for column in (
            "arm",
            "experiment",
            "email_problem",
            "phone_problem",
            "consent",
            "emails_consent",
            "texts_consent",
        ):
            batch_op.drop_column(column)
    op.drop_table("opt_outs")
    op.drop_table("outbox_messages")
    op.drop_table("letter_batches")
