"""The migrations and the ORM models describe the same schema, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from citations.database import (
    current_revision,
    ensure_current,
    head_revision,
    make_engine,
    upgrade,
)
from citations.errors import DatabaseNotReady
from citations.partitions import compared
from citations.schema import METADATA

EXPRESSION_INDEXES = {"ix_citations_resolution_bucket", "ix_citations_number_part"}
"""Indexes on an expression written per backend (migration 0022's resolution bucket, which
no column holds; 0024's trigrams of upper(number), PostgreSQL's only): no model declares
them, SQLite's reflection skips them (and says so), and PostgreSQL's would report them as
extra."""


def _declared(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
    if kind == "index" and name in EXPRESSION_INDEXES:
        return False
    return compared(obj, name, kind, reflected, other)  # a year's partition is its table's


@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_citations_resolution"
)
def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": _declared}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, METADATA)
    assert differences == []


def test_upgrade_is_idempotent_and_reaches_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert upgrade(engine) == (head_revision(), head_revision())
    assert {"ordinances", "ordinance_versions", "audit_events"} <= set(
        inspect(engine).get_table_names()
    )


def test_an_empty_database_is_refused_with_advice(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        with pytest.raises(
            DatabaseNotReady, match=r"has no tables yet: run `citations db upgrade`"
        ):
            ensure_current(engine)
    finally:
        engine.dispose()
