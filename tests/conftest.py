"""Shared fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

PostgreSQL isolation: each test gets its own schema (selected through `search_path` in the
URL), so the library, the CLI and Alembic all see the same private database and it is
dropped afterwards. In CI, a missing CITATIONS_TEST_POSTGRES_URL fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from citations.database import make_engine, normalize_url, transaction, upgrade

pytest_plugins = ["tests.clock"]  # every test runs on a pinned clock

CATALOGS = Path(__file__).parent / "catalogs"
GOOD_CATALOG = CATALOGS / "good"

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
"""A fixed 'now' for tests: 10:00 on 2026-11-29 in Los Angeles."""


def postgres_url() -> str | None:
    url = os.environ.get("CITATIONS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CITATIONS_TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
        return None
    return normalize_url(url)


@contextmanager
def private_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty database of its own on `backend`: a SQLite file in `folder`, or a PostgreSQL
    schema (selected through `search_path` in the URL) dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A private, empty database on each backend, for one test."""
    with private_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the newest schema."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with transaction(engine) as session:
        yield session


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A writable copy of the small test catalog, for tests that edit it."""
    target = tmp_path / "catalog"
    shutil.copytree(GOOD_CATALOG, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) by `new` in a catalog file."""
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1, f"{old!r} occurs {content.count(old)} times in {path.name}"
    path.write_text(content.replace(old, new), encoding="utf-8")
