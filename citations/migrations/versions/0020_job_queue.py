"""The job queue on PostgreSQL: procrastinate's tables, types and functions in their own
schema, `procrastinate` (citations.jobs). On SQLite there is no queue: nothing to do.

The SQL is procrastinate's own schema (`SchemaManager.get_schema()`) of the version
pyproject.toml pins; its newest migration at the time is `PROCRASTINATE_SCHEMA_AT`, which
tests/test_jobs_schema.py checks against the installed library, so a procrastinate release
that changes its schema fails there until a migration applies its new migration files.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SCHEMA = "procrastinate"
PROCRASTINATE_SCHEMA_AT = "03.04.00_50_post_add_retry_failed_job_procedure.sql"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # On the driver's connection, in Alembic's transaction: the schema's SQL holds `%` in
    # its error messages, which a statement with parameters would read as placeholders.
    raw = bind.connection.driver_connection
    assert raw is not None
    raw.execute(f"CREATE SCHEMA {SCHEMA}")
    raw.execute(
        f"SELECT set_config('search_path', '{SCHEMA}, ' || current_setting('search_path'), true)"
    )
    raw.execute(SchemaManager.get_schema())
    raw.execute(
        "SELECT set_config('search_path', "
        f"regexp_replace(current_setting('search_path'), '^{SCHEMA}, ', ''), true)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
