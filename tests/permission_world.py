"""One database per backend for a whole permission-test module.

The matrix has well over a hundred cells; building a migrated database with a published
catalog for each would take minutes. Instead each module builds one per backend, and every
cell's work is rolled back (library cells) or cannot change what other cells see (API cells
use numbers and ids that do not exist), so each cell sees the same state in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from citations.database import make_engine
from citations.roles import Actor, Role
from tests.databases import Databases
from tests.factories import prepare
from tests.hearing_steps import issue_one

BACKENDS = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class World:
    """The test catalog, agencies DCPD and OTHR, and one issued DCPD citation."""

    url: str
    engine: Engine
    number: str


@contextmanager
def build_world(databases: Databases, backend: str, folder: Path) -> Iterator[World]:
    with databases.migrated(backend, folder) as url:
        engine = make_engine(url)
        try:
            prepare(engine)
            yield World(url, engine, issue_one(engine))
        finally:
            engine.dispose()


def actor_of(role: Role, agency: str = "DCPD") -> Actor:
    """An actor of `role`; officers act for `agency`, the other roles city-wide."""
    return Actor(f"test {role.value}", role, agency if role is Role.OFFICER else None)
