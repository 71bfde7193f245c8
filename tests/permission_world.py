"""One database per backend for a whole permission-test module.

The matrix has well over a hundred cells; building a migrated database with a published
catalog for each would take minutes. Instead each module builds one per backend, and every
cell's work is rolled back (library cells) or cannot change what other cells see (API cells
use numbers and ids that do not exist), so each cell sees the same state in any order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from citations.database import make_engine, upgrade
from citations.roles import Actor, Role
from tests.conftest import postgres_url
from tests.factories import prepare
from tests.hearing_steps import issue_one

BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def private_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty database of its own on `backend`: a file, or a PostgreSQL schema dropped
    afterwards (as tests/conftest.py does for one test)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'permissions.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("set CITATIONS_TEST_POSTGRES_URL to run the PostgreSQL half")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass(frozen=True)
class World:
    """The test catalog, agencies DCPD and OTHR, and one issued DCPD citation."""

    url: str
    engine: Engine
    number: str


@contextmanager
def build_world(backend: str, folder: Path) -> Iterator[World]:
    with private_database(backend, folder) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            prepare(engine)
            yield World(url, engine, issue_one(engine))
        finally:
            engine.dispose()


def actor_of(role: Role, agency: str = "DCPD") -> Actor:
    """An actor of `role`; officers act for `agency`, the other roles city-wide."""
    return Actor(f"test {role.value}", role, agency if role is Role.OFFICER else None)
