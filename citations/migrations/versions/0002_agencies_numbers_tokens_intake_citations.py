"""Agencies, citation numbers, API tokens, intake records and citations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_api_tokens_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "intake_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("body", JSON_DOCUMENT, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("received_by", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reasons", JSON_DOCUMENT, nullable=False),
        sa.Column("violation_at", UTCDateTime(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("preferred_language", sa.String(length=8), nullable=True),
        sa.Column("response", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_intake_records_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_records")),
        sa.UniqueConstraint("message_id", name=op.f("uq_intake_records_message_id")),
    )
    op.create_index(op.f("ix_intake_records_agency_id"), "intake_records", ["agency_id"])
    op.create_index(op.f("ix_intake_records_outcome"), "intake_records", ["outcome"])

    op.create_table(
        "number_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first_sequence", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("allocated_at", UTCDateTime(), nullable=False),
        sa.Column("allocated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_number_blocks_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_blocks")),
    )
    op.create_index("ix_number_blocks_device", "number_blocks", ["agency_id", "device_id", "year"])

    op.create_table(
        "number_sequences",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("next_sequence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_number_sequences_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("agency_id", "year", name=op.f("pk_number_sequences")),
    )
    op.create_table(
        "citations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=100), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("violation_at", UTCDateTime(), nullable=False),
        sa.Column("violation_date", sa.Date(), nullable=False),
        sa.Column("location", JSON_DOCUMENT, nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("officer_badge", sa.String(length=40), nullable=False),
        sa.Column("officer_name", sa.String(length=200), nullable=False),
        sa.Column("subject", JSON_DOCUMENT, nullable=False),
        sa.Column("subject_name_key", sa.String(length=400), nullable=False),
        sa.Column("subject_dob", sa.Date(), nullable=True),
        sa.Column("preferred_language", sa.String(length=8), nullable=True),
        sa.Column("notice_language", sa.String(length=8), nullable=False),
        sa.Column("total_fine_cents", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("officer_notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_citations_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intake_records.id"], name=op.f("fk_citations_intake_id_intake_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citations")),
        sa.UniqueConstraint("number", name=op.f("uq_citations_number")),
    )
    op.create_index(op.f("ix_citations_agency_id"), "citations", ["agency_id"])
    op.create_index(op.f("ix_citations_area"), "citations", ["area"])
    op.create_index(op.f("ix_citations_intake_id"), "citations", ["intake_id"])
    op.create_index(op.f("ix_citations_status"), "citations", ["status"])
    op.create_index("ix_citations_subject", "citations", ["subject_name_key", "subject_dob"])
    op.create_index(op.f("ix_citations_violation_date"), "citations", ["violation_date"])

    op.create_table(
        "citation_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("id_type", sa.String(length=40), nullable=False),
        sa.Column("id_number", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_citation_identifiers_citation_id_citations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citation_identifiers")),
    )
    op.create_index(
        op.f("ix_citation_identifiers_citation_id"), "citation_identifiers", ["citation_id"]
    )
    op.create_index("ix_citation_identifiers_key", "citation_identifiers", ["id_type", "id_number"])

    op.create_table(
        "citation_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("message", JSON_DOCUMENT, nullable=False),
        sa.Column("decision", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_citation_revisions_citation_id_citations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citation_revisions")),
        sa.UniqueConstraint("citation_id", "revision", name="uq_citation_revisions_revision"),
    )
    op.create_table(
        "citation_violations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ordinance_code", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("violation_date", sa.Date(), nullable=False),
        sa.Column("ordinance_version_id", sa.Integer(), nullable=False),
        sa.Column("disposition", sa.String(length=32), nullable=False),
        sa.Column("prior_count", sa.Integer(), nullable=False),
        sa.Column("offense_count", sa.Integer(), nullable=False),
        sa.Column("fine_cents", sa.BigInteger(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("snapshot", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"],
            ["citations.id"],
            name=op.f("fk_citation_violations_citation_id_citations"),
        ),
        sa.ForeignKeyConstraint(
            ["ordinance_version_id"],
            ["ordinance_versions.id"],
            name=op.f("fk_citation_violations_ordinance_version_id_ordinance_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citation_violations")),
        sa.UniqueConstraint("citation_id", "position", name="uq_citation_violations_position"),
    )
    op.create_index(
        "ix_citation_violations_category", "citation_violations", ["category", "violation_date"]
    )
    op.create_index(
        "ix_citation_violations_ordinance",
        "citation_violations",
        ["ordinance_code", "violation_date"],
    )
    op.create_index(
        op.f("ix_citation_violations_ordinance_version_id"),
        "citation_violations",
        ["ordinance_version_id"],
    )


def downgrade() -> None:
    op.drop_table("citation_violations")
    op.drop_table("citation_revisions")
    op.drop_table("citation_identifiers")
    op.drop_table("citations")
    op.drop_table("number_sequences")
    op.drop_table("number_blocks")
    op.drop_table("intake_records")
    op.drop_table("api_tokens")
    op.drop_table("agencies")
