"""Hash-chain the audit trail: each event carries the previous event's hash and its own.

Existing events are chained in id order as the migration runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from citations.audit import GENESIS, event_hash
from citations.orm import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    connection = op.get_bind()
    events = sa.table(
        "audit_events",
        sa.column("id"),
        sa.column("occurred_at", UTCDateTime()),
        sa.column("actor"),
        sa.column("action"),
        sa.column("entity_type"),
        sa.column("entity_key"),
        sa.column("reason"),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    prev = GENESIS
    rows = connection.execute(sa.select(events).order_by(events.c.id)).all()
    for row in rows:
        digest = event_hash(
            prev,
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_key=row.entity_key,
            reason=row.reason,
            before=row.before,
            after=row.after,
        )
        connection.execute(
            events.update().where(events.c.id == row.id).values(prev_hash=prev, hash=digest)
        )
        prev = digest
    connection.execute(sa.text("INSERT INTO audit_head (id, hash) VALUES (1, :h)"), {"h": prev})
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_audit_events_hash"), ["hash"])


def downgrade() -> None:
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_constraint(op.f("uq_audit_events_hash"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
