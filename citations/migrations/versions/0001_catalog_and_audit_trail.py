"""The published ordinance catalog and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", JSON_DOCUMENT, nullable=True),
        sa.Column("after", JSON_DOCUMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_entity", "audit_events", ["entity_type", "entity_key"])

    op.create_table(
        "catalog_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("catalog_digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_publications")),
    )

    op.create_table(
        "jurisdiction_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("content", JSON_DOCUMENT, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["catalog_publications.id"],
            name=op.f("fk_jurisdiction_profiles_publication_id_catalog_publications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdiction_profiles")),
    )
    op.create_index(
        op.f("ix_jurisdiction_profiles_publication_id"), "jurisdiction_profiles", ["publication_id"]
    )

    op.create_table(
        "ordinances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", JSON_DOCUMENT, nullable=False),
        sa.Column("description", JSON_DOCUMENT, nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("legal_reference", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["catalog_publications.id"],
            name=op.f("fk_ordinances_publication_id_catalog_publications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ordinances")),
        sa.UniqueConstraint("code", name=op.f("uq_ordinances_code")),
    )
    op.create_index(op.f("ix_ordinances_category"), "ordinances", ["category"])
    op.create_index(op.f("ix_ordinances_publication_id"), "ordinances", ["publication_id"])

    op.create_table(
        "ordinance_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ordinance_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("disposition", sa.String(length=32), nullable=False),
        sa.Column("content", JSON_DOCUMENT, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ordinance_id"],
            ["ordinances.id"],
            name=op.f("fk_ordinance_versions_ordinance_id_ordinances"),
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["catalog_publications.id"],
            name=op.f("fk_ordinance_versions_publication_id_catalog_publications"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["catalog_publications.id"],
            name=op.f("fk_ordinance_versions_withdrawn_by_id_catalog_publications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ordinance_versions")),
    )
    op.create_index(
        "uq_ordinance_versions_active",
        "ordinance_versions",
        ["ordinance_id", "effective_from"],
        unique=True,
        sqlite_where=sa.text("withdrawn_by_id IS NULL"),
        postgresql_where=sa.text("withdrawn_by_id IS NULL"),
    )
    op.create_index(
        op.f("ix_ordinance_versions_publication_id"), "ordinance_versions", ["publication_id"]
    )
    op.create_index(
        op.f("ix_ordinance_versions_withdrawn_by_id"), "ordinance_versions", ["withdrawn_by_id"]
    )


def downgrade() -> None:
    op.drop_table("ordinance_versions")
    op.drop_table("ordinances")
    op.drop_table("jurisdiction_profiles")
    op.drop_table("catalog_publications")
    op.drop_table("audit_events")
