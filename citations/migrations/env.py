"""Alembic environment: run with the engine the library hands over (see citations.database)."""

from __future__ import annotations

from alembic import context

import citations.audit
import citations.hearings.tables
import citations.ledger
import citations.payments.tables
import citations.tables
import ordinances.tables  # noqa: F401  (registers the catalog tables on the metadata)
from citations.orm import Base

target_metadata = Base.metadata
_ = (
    citations.audit,
    citations.hearings.tables,
    citations.ledger,
    citations.payments.tables,
    citations.tables,
)


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations_online()
