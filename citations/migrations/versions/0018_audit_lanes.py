"""The audit trail in lanes: each event names the chain it is in, and `audit_head` holds one
row per lane (its id is the lane's number), so writers of different entities do not all wait
for one row.

The lanes are made here, 16 of them, and their number never changes under existing data.
Every event written before lanes is lane 0's, in the same order with the same hashes: the
chain as it was is lane 0's chain, and its head row (id 1) becomes lane 0's. The other lanes
start at the genesis value. Downgrading is possible only while lanes other than 0 are empty
(their events cannot join lane 0's chain without rewriting every hash after them).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

LANES = 16
GENESIS = "0" * 64


def upgrade() -> None:
    # A default, not a rewrite: PostgreSQL adds the column without touching the rows, and
    # SQLite adds it in place.
    op.add_column(
        "audit_events", sa.Column("lane", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    connection = op.get_bind()
    head = sa.table("audit_head", sa.column("id", sa.Integer()), sa.column("hash", sa.String()))
    connection.execute(head.update().where(head.c.id == 1).values(id=0))
    held = {row.id for row in connection.execute(sa.select(head.c.id))}
    missing = [{"id": lane, "hash": GENESIS} for lane in range(LANES) if lane not in held]
    if missing:
        connection.execute(head.insert(), missing)


def downgrade() -> None:
    connection = op.get_bind()
    used = connection.execute(
        sa.text("SELECT count(*) FROM audit_events WHERE lane <> 0")
    ).scalar_one()
    if used:
        raise RuntimeError(
            f"{used:,} audit events are in lanes other than 0: the trail cannot go back to "
            "one chain without rewriting their hashes; restore a backup taken before 0018"
        )
    connection.execute(sa.text("DELETE FROM audit_head WHERE id <> 0"))
    connection.execute(sa.text("UPDATE audit_head SET id = 1 WHERE id = 0"))
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_column("lane")
