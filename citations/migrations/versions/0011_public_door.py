"""The cited person's own pages: access codes, tries to find a citation, the person's
sessions, requests and files, payments through the city's provider, the person's phone and
email, and how they asked to attend their hearing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "lookup_tries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookup_tries")),
    )
    with op.batch_alter_table("lookup_tries", schema=None) as batch_op:
        batch_op.create_index("ix_lookup_tries_client", ["client", "at"], unique=False)
        batch_op.create_index("ix_lookup_tries_number", ["number", "at"], unique=False)

    op.create_table(
        "access_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("printed_on", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_access_codes_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_access_codes_code_hash")),
    )
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_codes_citation_id"), ["citation_id"], unique=False
        )

    op.create_table(
        "person_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("details", JSON_DOCUMENT, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_person_requests_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_requests")),
    )
    with op.batch_alter_table("person_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_requests_citation_id"), ["citation_id"], unique=False
        )
        batch_op.create_index("ix_person_requests_waiting", ["status", "received_at"], unique=False)

    op.create_table(
        "person_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_person_sessions_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_person_sessions_key_hash")),
    )
    with op.batch_alter_table("person_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_sessions_citation_id"), ["citation_id"], unique=False
        )

    op.create_table(
        "person_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_person_files_citation_id_citations")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["person_requests.id"],
            name=op.f("fk_person_files_request_id_person_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_files")),
    )
    with op.batch_alter_table("person_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_files_citation_id"), ["citation_id"], unique=False
        )

    op.create_table(
        "provider_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("provider_payment_id", sa.String(length=120), nullable=True),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("callbacks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("details", JSON_DOCUMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_provider_payments_citation_id_citations"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_provider_payments_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_payments")),
        sa.UniqueConstraint("provider", "provider_payment_id", name="uq_provider_payments_id"),
        sa.UniqueConstraint("reference", name=op.f("uq_provider_payments_reference")),
    )
    with op.batch_alter_table("provider_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_payments_citation_id"), ["citation_id"], unique=False
        )

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))

    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hearing_mode", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("accommodation", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.drop_column("accommodation")
        batch_op.drop_column("hearing_mode")

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_column("email")
        batch_op.drop_column("phone")

    with op.batch_alter_table("provider_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_payments_citation_id"))

    op.drop_table("provider_payments")
    with op.batch_alter_table("person_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_files_citation_id"))

    op.drop_table("person_files")
    with op.batch_alter_table("person_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_sessions_citation_id"))

    op.drop_table("person_sessions")
    with op.batch_alter_table("person_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_person_requests_waiting")
        batch_op.drop_index(batch_op.f("ix_person_requests_citation_id"))

    op.drop_table("person_requests")
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_codes_citation_id"))

    op.drop_table("access_codes")
    with op.batch_alter_table("lookup_tries", schema=None) as batch_op:
        batch_op.drop_index("ix_lookup_tries_number")
        batch_op.drop_index("ix_lookup_tries_client")

    op.drop_table("lookup_tries")
