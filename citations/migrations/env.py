"""Alembic environment: run with the engine the library hands over (see citations.database)."""

from __future__ import annotations

from alembic import context

from citations.partitions import compared
from citations.schema import METADATA

target_metadata = METADATA


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=compared,
        )
        context.run_migrations()


run_migrations_online()
