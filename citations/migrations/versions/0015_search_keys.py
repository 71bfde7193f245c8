"""Finding anyone: folded name and address keys and the stored balance on citations, and
the indexes the clerks' search and lists use (citations.record.search).

On PostgreSQL the partial-number and address indexes are trigram indexes (the pg_trgm
extension, created here: that needs a role allowed to create it, see the README); on SQLite
they are plain indexes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citations.record.folding import folded_subject

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 5000

_SIGNED = """
    SELECT COALESCE(SUM(CASE WHEN e.kind IN ('fine_assessed', 'fine_adjusted_up', 'refund',
        'late_penalty', 'collection_fee', 'reversal') THEN e.amount_cents
        ELSE -e.amount_cents END), 0)
    FROM ledger_entries e WHERE e.citation_id = citations.id
"""
"""The ledger's sum, as citations.record.ledger counts it (written out: a migration keeps
what it did when it was written, whatever the code becomes)."""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table("citations") as batch:
        batch.add_column(
            sa.Column("balance_cents", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "subject_last_folded", sa.String(length=200), server_default="", nullable=False
            )
        )
        batch.add_column(
            sa.Column(
                "subject_first_folded", sa.String(length=200), server_default="", nullable=False
            )
        )
        batch.add_column(
            sa.Column(
                "subject_address_folded", sa.String(length=400), server_default="", nullable=False
            )
        )
    op.execute(f"UPDATE citations SET balance_cents = ({_SIGNED})")
    _fill_folded()
    op.create_index(
        "ix_citations_last_prefix",
        "citations",
        ["subject_last_folded"],
        postgresql_ops={"subject_last_folded": "varchar_pattern_ops"},
        postgresql_include=["issued_at"],
    )
    op.create_index(
        "ix_citations_name_order",
        "citations",
        ["subject_last_folded", "subject_first_folded", "id"],
    )
    op.create_index("ix_citations_dob", "citations", ["subject_dob"])
    op.drop_index("ix_citations_area", table_name="citations")
    op.create_index("ix_citations_area", "citations", ["area", "id"])
    op.create_index(
        "ix_citation_violations_citation_by_ordinance",
        "citation_violations",
        ["ordinance_code", "citation_id"],
    )
    op.create_index("ix_citations_issued", "citations", ["issued_at", "id"])
    op.create_index("ix_citations_balance", "citations", ["balance_cents", "id"])
    op.create_index(
        "ix_citations_number_trgm",
        "citations",
        ["number"],
        postgresql_using="gin",
        postgresql_ops={"number": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_citations_address_trgm",
        "citations",
        ["subject_address_folded"],
        postgresql_using="gin",
        postgresql_ops={"subject_address_folded": "gin_trgm_ops"},
    )
    op.create_index("ix_citation_identifiers_number", "citation_identifiers", ["id_number"])


def _fill_folded() -> None:
    """Fold each existing citation's subject in Python (the same `fold` new rows get)."""
    bind = op.get_bind()
    citations = sa.table(
        "citations",
        sa.column("id", sa.Integer()),
        sa.column("subject", sa.JSON()),
        sa.column("subject_last_folded", sa.String()),
        sa.column("subject_first_folded", sa.String()),
        sa.column("subject_address_folded", sa.String()),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(citations.c.id, citations.c.subject)
            .where(citations.c.id > last)
            .order_by(citations.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            citations.update().where(citations.c.id == sa.bindparam("row_id")),
            [{"row_id": row_id, **folded_subject(subject)} for row_id, subject in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_citation_identifiers_number", table_name="citation_identifiers")
    op.drop_index("ix_citation_violations_citation_by_ordinance", table_name="citation_violations")
    op.drop_index("ix_citations_area", table_name="citations")
    op.create_index("ix_citations_area", "citations", ["area"])
    for name in (
        "ix_citations_address_trgm",
        "ix_citations_number_trgm",
        "ix_citations_balance",
        "ix_citations_issued",
        "ix_citations_dob",
        "ix_citations_name_order",
        "ix_citations_last_prefix",
    ):
        op.drop_index(name, table_name="citations")
    with op.batch_alter_table("citations") as batch:
        for column in (
            "subject_address_folded",
            "subject_first_folded",
            "subject_last_folded",
            "balance_cents",
        ):
            batch.drop_column(column)
