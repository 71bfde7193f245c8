"""Evidence on the record: one attachments table for every file (officers' photos and
documents, clerks' scans, the person's files), their bytes in the content-addressed files
store (CITATIONS_FILES_STORE) instead of the database.

The person's files kept in `person_files` move: their bytes are put in the files store the
settings name (the migration must run where that store is reachable), each becomes an
attachment of source `person` keeping its hashes, name, purpose, request and who added it,
then `person_files` is dropped. Downgrading moves them back, reading the bytes from the store;
the officers' and clerks' files have nowhere to go before this revision: their rows are
dropped (their bytes stay in the store).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

import base64
import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from citations.orm import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _key() -> str:
    return "att_" + base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def upgrade() -> None:
    attachments = op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("citation_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("received_sha256", sa.String(length=64), nullable=True),
        sa.Column("shown_sha256", sa.String(length=64), nullable=True),
        sa.Column("shown_content_type", sa.String(length=60), nullable=True),
        sa.Column("shown_size", sa.Integer(), nullable=True),
        sa.Column("details", JSON_DOCUMENT, nullable=False),
        sa.Column("named_at", UTCDateTime(), nullable=True),
        sa.Column("named_by", sa.String(length=200), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=True),
        sa.Column("added_by", sa.String(length=200), nullable=True),
        sa.Column("added_from", sa.String(length=200), nullable=True),
        sa.Column("attached_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_attachments_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["citation_id"], ["citations.id"], name=op.f("fk_attachments_citation_id_citations")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["person_requests.id"],
            name=op.f("fk_attachments_request_id_person_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("key", name=op.f("uq_attachments_key")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachments_sha256", ["sha256"], unique=False)
        batch_op.create_index("ix_attachments_citation", ["citation_id", "id"], unique=False)
        batch_op.create_index(
            "ix_attachments_agency_unnamed", ["agency_id", "sha256"], unique=False
        )
    _move_person_files(attachments)
    with op.batch_alter_table("person_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_files_citation_id"))
    op.drop_table("person_files")


def _move_person_files(attachments: sa.Table) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, citation_id, purpose, request_id, filename, content_type, size, sha256,"
            " received_sha256, content, added_at, added_by FROM person_files ORDER BY id"
        )
    ).mappings()
    store = None
    for row in rows:
        if store is None:
            from citations.attachments.store import open_store

            store = open_store()
        stored = store.put(bytes(row["content"]))
        if stored != row["sha256"]:
            raise RuntimeError(f"person_files row {row['id']}: its bytes do not match its hash")
        connection.execute(
            attachments.insert().values(
                key=_key(),
                citation_id=row["citation_id"],
                agency_id=None,
                source="person",
                purpose=row["purpose"],
                request_id=row["request_id"],
                filename=row["filename"],
                sha256=row["sha256"],
                content_type=row["content_type"],
                size=row["size"],
                received_sha256=row["received_sha256"],
                shown_sha256=row["sha256"],
                shown_content_type=row["content_type"],
                shown_size=row["size"],
                details={},
                received_at=row["added_at"],
                added_by=row["added_by"],
                added_from="the public pages",
                attached_at=row["added_at"],
            )
        )


def downgrade() -> None:
    person_files = op.create_table(
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
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT citation_id, purpose, request_id, filename, content_type, size, sha256,"
            " received_sha256, received_at, added_by FROM attachments"
            " WHERE source = 'person' AND received_at IS NOT NULL"
            " AND citation_id IS NOT NULL ORDER BY id"
        )
    ).mappings()
    store = None
    for row in rows:
        if store is None:
            from citations.attachments.store import open_store

            store = open_store()
        values = dict(row)
        values["content"] = store.get(values["sha256"])
        values["added_at"] = values.pop("received_at")
        values["received_sha256"] = values["received_sha256"] or values["sha256"]
        connection.execute(person_files.insert().values(**values))
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_agency_unnamed")
        batch_op.drop_index("ix_attachments_citation")
        batch_op.drop_index("ix_attachments_sha256")
    op.drop_table("attachments")
