"""Shared fixtures: every database test runs on SQLite and, when configured, on PostgreSQL.

Each test gets a private database of its own, which the library, the CLI, Alembic and server
processes all reach through its URL: a copy of a template migrated once per test session
(tests/databases.py), so tests stay isolated without migrating a database each. In CI, a
missing CITATIONS_TEST_POSTGRES_URL fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from citations.database import make_engine, transaction
from tests.databases import BACKENDS, Databases, Fill

pytest_plugins = ["tests.clock"]  # every test runs on a pinned clock


def pytest_configure(config: pytest.Config) -> None:
    """One files store for the whole run, outside the checkout, inherited by every process
    the tests start (servers, the CLI): content-addressed, so tests sharing it never clash.
    A test about the store itself makes its own."""
    if "CITATIONS_FILES_FOLDER" not in os.environ:
        os.environ["CITATIONS_FILES_FOLDER"] = tempfile.mkdtemp(prefix="citations-files-")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one and a half workers per core, at most eight. A test waits on PostgreSQL,
    a server it started or a browser about half its time (the suite in one process used 19
    of its 38 minutes' CPU), so three workers on two cores ran it in 16 minutes."""
    return min(8, max(2, (os.cpu_count() or 1) * 3 // 2))


CATALOGS = Path(__file__).parent / "catalogs"
GOOD_CATALOG = CATALOGS / "good"

NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
"""A fixed 'now' for tests: 10:00 on 2026-11-29 in Los Angeles."""


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """This session's migrated templates and the private databases copied from them."""
    made = Databases(tmp_path_factory)
    try:
        yield made
    finally:
        made.close()


def fill_of(request: pytest.FixtureRequest) -> Fill | None:
    marker = request.node.get_closest_marker("filled_by")
    return None if marker is None else cast(Fill | None, marker.kwargs["fill"])


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, databases: Databases
) -> Iterator[str]:
    """A private database at the newest schema on each backend, for one test; with the data
    of the test's `filled_by(fill=...)` marker, if it has one."""
    with databases.migrated(request.param, tmp_path, fill_of(request)) as url:
        yield url


@pytest.fixture
def filled(request: pytest.FixtureRequest, database_url: str, databases: Databases) -> Any:
    """What the fill of the test's `filled_by(fill=...)` marker returned when it filled the data
    that the test's database starts with."""
    fill = fill_of(request)
    assert fill is not None, "the test has no filled_by(fill=...) marker"
    return databases.filled(make_url(database_url).get_backend_name(), fill)


@pytest.fixture(params=BACKENDS)
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, databases: Databases
) -> Iterator[str]:
    """A private database without any table on each backend, for tests about migrating."""
    with databases.empty(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database, migrated to the newest schema."""
    engine = make_engine(database_url)
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
def db(engine: Engine, database_url: str) -> str:
    """The URL of a database with the test catalog published and the agencies registered."""
    from tests.factories import prepare  # factories import this module: imported when used

    prepare(engine)
    return database_url


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
