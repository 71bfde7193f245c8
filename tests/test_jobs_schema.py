"""Migration 0020 makes procrastinate's schema on PostgreSQL, in its own PostgreSQL schema,
and removes it on downgrade; on SQLite it does nothing. The schema it applies is that of
the procrastinate installed, whose newest migration must be the one 0020 was written for."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from alembic import command
from procrastinate.schema import SchemaManager
from sqlalchemy import Engine, inspect, text

from citations.database import alembic_config, current_revision, head_revision

MIGRATION = Path(__file__).parents[1] / "citations/migrations/versions/0020_job_queue.py"


def migration_0020() -> Any:
    spec = importlib.util.spec_from_file_location("m0020", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def procrastinate_tables(engine: Engine) -> list[str]:
    if engine.dialect.name != "postgresql":
        return []
    return sorted(inspect(engine).get_table_names(schema="procrastinate"))


def test_the_installed_procrastinate_has_the_schema_0020_applies() -> None:
    newest = max(p.name for p in Path(SchemaManager.get_migrations_path()).glob("*.sql"))
    # A release whose schema moved on: add a migration that applies its new migration files.
    assert newest == migration_0020().PROCRASTINATE_SCHEMA_AT


def test_the_queue_comes_and_goes_with_its_migration(engine: Engine) -> None:
    queue = ["procrastinate_events", "procrastinate_jobs"]
    queue += ["procrastinate_periodic_defers", "procrastinate_workers"]
    expected = queue if engine.dialect.name == "postgresql" else []
    assert procrastinate_tables(engine) == expected
    assert not any(n.startswith("procrastinate") for n in inspect(engine).get_table_names())

    before = migration_0020().down_revision
    command.downgrade(alembic_config(engine), before)
    assert current_revision(engine) == before
    assert procrastinate_tables(engine) == []
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schemas = connection.scalars(text("SELECT nspname FROM pg_namespace")).all()
        assert "procrastinate" not in schemas

    command.upgrade(alembic_config(engine), "head")
    assert current_revision(engine) == head_revision()
    assert procrastinate_tables(engine) == expected
