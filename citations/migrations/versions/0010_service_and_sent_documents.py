"""How each notice was served, the documents as sent with their mailing log, and who decided.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.add_column(
        "citations",
        sa.Column(
            "service_method", sa.String(length=16), server_default="personal", nullable=False
        ),
    )
    op.add_column("citations", sa.Column("served_on", sa.Date(), nullable=True))
    op.add_column("citations", sa.Column("attention", sa.Text(), nullable=True))
    # Every citation issued before this revision was handed over at the scene: its deadlines
    # counted from the violation date, and still do.
    op.execute("UPDATE citations SET served_on = violation_date")
    op.add_column("orders", sa.Column("decision_maker", sa.String(length=200), nullable=True))
    op.add_column("orders", sa.Column("decision_maker_title", sa.String(length=200), nullable=True))
    op.create_table(
        "sent_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("about", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("address", JSON_DOCUMENT, nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_sent_documents_citation_id_citations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_documents")),
        sa.UniqueConstraint("citation_id", "kind", "about", name="uq_sent_documents_about"),
    )
    op.create_index(
        op.f("ix_sent_documents_citation_id"), "sent_documents", ["citation_id"], unique=False
    )
    op.create_table(
        "mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=False),
        sa.Column("mailed_on", sa.Date(), nullable=False),
        sa.Column("address", JSON_DOCUMENT, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("return_recorded_at", UTCDateTime(), nullable=True),
        sa.Column("return_recorded_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_mailings_citation_id_citations")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["sent_documents.id"],
            name=op.f("fk_mailings_document_id_sent_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailings")),
        sa.UniqueConstraint("document_id", name=op.f("uq_mailings_document_id")),
    )
    op.create_index(op.f("ix_mailings_citation_id"), "mailings", ["citation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mailings_citation_id"), table_name="mailings")
    op.drop_table("mailings")
    op.drop_index(op.f("ix_sent_documents_citation_id"), table_name="sent_documents")
    op.drop_table("sent_documents")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("decision_maker_title")
        batch.drop_column("decision_maker")
    with op.batch_alter_table("citations") as batch:
        batch.drop_column("attention")
        batch.drop_column("served_on")
        batch.drop_column("service_method")
